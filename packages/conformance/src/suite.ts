// The conformance suite: every public behaviour of omnisock as a case, against real sockets
// on loopback. Each runtime's entry file calls `defineConformance` with its adapter; the
// cases are the same everywhere, and a runtime gap is skipped by `capabilities`, never by name.
import { afterAll, afterEach, beforeAll, beforeEach, describe } from "vitest";
import { backpressureCases } from "./cases/backpressure.js";
import { badInputCases } from "./cases/bad-input.js";
import { capabilityCases } from "./cases/capabilities.js";
import { errorCases } from "./cases/errors.js";
import { faultCases } from "./cases/faults.js";
import { framingCases } from "./cases/framing.js";
import { fuzzCases } from "./cases/fuzz.js";
import { halfCloseCases } from "./cases/half-close.js";
import { listenFdCases } from "./cases/listen-fd.js";
import { lookupCases } from "./cases/lookup.js";
import { monitorCases } from "./cases/monitor.js";
import { readHandlerCases } from "./cases/read-handler.js";
import { serverCases } from "./cases/server.js";
import { tcpCases } from "./cases/tcp.js";
import { tlsCases } from "./cases/tls.js";
import { udpCases } from "./cases/udp.js";
import { unixCases } from "./cases/unix.js";
import type { Api, ConformanceContext } from "./context.js";
import { takeReports, unwatchReports, watchReports } from "./helpers.js";

export type {
  Api,
  BlackHole,
  ConformanceContext,
  ExternalTlsClient,
  ExternalTlsPeer,
  InheritedListener,
  KillablePeer,
  DatagramProbe,
  Kernel,
  ProbedDatagram,
  SocketBuffers,
  TcpTimer,
} from "./context.js";

export function defineConformance(api: Api, context: ConformanceContext): void {
  describe(`omnisock conformance on ${context.name}`, () => {
    // The library reports failures on fire-and-forget paths instead of throwing them; a case
    // that causes one it did not expect fails (a case that expects one takes it first).
    beforeAll(watchReports);
    afterAll(unwatchReports);
    beforeEach(() => void takeReports());
    afterEach(() => {
      const reports = takeReports();
      if (reports.length > 0) {
        throw new Error(
          `the library reported ${reports.length} failure(s): ${reports.map((args) => args.map(String).join(" ")).join("; ")}`,
        );
      }
    });

    tcpCases(api);
    backpressureCases(api);
    readHandlerCases(api);
    halfCloseCases(api);
    errorCases(api, context);
    serverCases(api);
    unixCases(api, context);
    udpCases(api);
    monitorCases(api);
    lookupCases(api, context);
    framingCases(api);
    listenFdCases(api, context);
    capabilityCases(api, context);
    badInputCases(api);
    tlsCases(api, context);
    faultCases(api, context);
    fuzzCases(api);
  });
}
