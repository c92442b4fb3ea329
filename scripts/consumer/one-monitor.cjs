// The CommonJS side of one-monitor.mjs: require() of the ES module package.
const omnisock = require("omnisock");
const net = require("omnisock/net");
const sockets = require("omnisock/sockets");

module.exports = { omnisock, net, sockets };
