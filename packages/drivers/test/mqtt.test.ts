// MQTT.js against a real broker (aedes, in a child Node process), both clients' sockets from the
// `streamBuilder` hook: 1,000 messages at each QoS, checked one by one.
import { MqttClient, type IClientOptions } from "mqtt";
import { beforeAll, describe, expect } from "vitest";
import { startMqttBroker, type MqttBroker } from "../src/servers/mqtt-broker.js";
import { hooks, runtime, until, within, workload } from "./helpers.js";

describe("MQTT.js", () => {
  let broker: MqttBroker;
  let publisher: MqttClient;
  let subscriber: MqttClient;
  beforeAll(async () => {
    broker = await startMqttBroker();
    console.log(`aedes: start ${broker.startMs.toFixed(0)} ms`);
    publisher = await connect("publisher");
    subscriber = await connect("subscriber");
    return async () => {
      await within(Promise.all([publisher.endAsync(), subscriber.endAsync()]), 5_000, "MQTT end");
      await broker.stop();
    };
  });

  async function connect(role: string): Promise<MqttClient> {
    const options: IClientOptions = {
      host: broker.host,
      port: broker.port,
      clientId: `omnisock-${runtime}-${role}`,
      protocolVersion: 4,
      // A lost connection fails the case instead of being retried behind its back.
      reconnectPeriod: 0,
      connectTimeout: 10_000,
    };
    const before = hooks.calls["MQTT.js"];
    const client = new MqttClient(hooks.mqtt, options);
    const connected = new Promise((resolve, reject) => {
      client.once("connect", resolve);
      client.once("error", reject);
    });
    await within(connected, 10_000, `the ${role} to connect`);
    expect(hooks.calls["MQTT.js"]).toBe(before + 1);
    return client;
  }

  for (const qos of [0, 1, 2] as const) {
    workload("MQTT.js", `1,000 messages at QoS ${qos}`, async () => {
      const topic = `omnisock/${runtime}/qos${qos}`;
      const received: { payload: string; qos: number }[] = [];
      const onMessage = (from: string, payload: Buffer, packet: { qos: number }) => {
        if (from === topic) received.push({ payload: payload.toString("utf8"), qos: packet.qos });
      };
      subscriber.on("message", onMessage);
      try {
        const granted = await within(
          subscriber.subscribeAsync(topic, { qos }),
          10_000,
          "SUBSCRIBE",
        );
        expect(granted.map((grant) => grant.qos)).toEqual([qos]);
        const sent = Array.from(
          { length: 1_000 },
          (_, index) => `qos${qos}-${index}-${"z".repeat(index % 200)}`,
        );
        // All in flight at once; at QoS 1 and 2 each resolves on PUBACK / PUBCOMP.
        await within(
          Promise.all(sent.map((payload) => publisher.publishAsync(topic, payload, { qos }))),
          20_000,
          "1,000 PUBLISHes",
        );
        await until(() => received.length >= sent.length, 20_000, "1,000 messages");
        // One broker, one subscription, one TCP connection each way: nothing lost, nothing
        // repeated, and in order.
        expect(received.map((message) => message.payload)).toEqual(sent);
        expect(received.every((message) => message.qos === qos)).toBe(true);
      } finally {
        subscriber.off("message", onMessage);
        await within(subscriber.unsubscribeAsync(topic), 10_000, "UNSUBSCRIBE");
      }
    });
  }
});
