// A CommonJS library written for Node the old way: require("events") and require("util"),
// EventEmitter.call(this) + util.inherits, the global Buffer and process.nextTick.
"use strict";
var EventEmitter = require("events");
var util = require("util");

function ByteQueue() {
  EventEmitter.call(this);
  this.chunks = [];
}
util.inherits(ByteQueue, EventEmitter);

ByteQueue.prototype.push = function (data) {
  var chunk = Buffer.isBuffer(data) ? data : Buffer.from(String(data), "utf8");
  this.chunks.push(chunk);
  var self = this;
  process.nextTick(function () {
    self.emit("data", chunk);
  });
};

ByteQueue.prototype.end = function () {
  var self = this;
  process.nextTick(function () {
    self.emit("end", Buffer.concat(self.chunks));
  });
};

module.exports = ByteQueue;
