// One Gloo process group: the rendezvous, the TCP device and the context that the collectives run on.
// Plain C++ with no Node-API, so each call may block on a worker thread; failures are Gloo's exceptions.
#pragma once
#include <chrono>
#include <cstddef>
#include <memory>
#include <mutex>
#include <string>

#include <gloo/rendezvous/context.h>
#include <gloo/transport/device.h>

struct GroupOptions {
  int rank = 0;
  int size = 1;
  std::string storeKind;  // "redis" or "file"
  std::string storeHost;  // redis host
  int storePort = 6379;   // redis port
  std::string storePath;  // file store directory
  std::string prefix;
  std::string hostname;  // address this rank listens on, or
  std::string iface;     // the network interface to take it from
  std::chrono::milliseconds timeout{30000};
};

class Group {
 public:
  // Blocks until every rank has published its address in the store (or the timeout passes).
  explicit Group(const GroupOptions& options);
  void allReduceSum(float* data, size_t count);
  void broadcast(float* data, size_t count, int root);
  void barrier();
  // Drops the connections: peers' pending and later operations fail.
  void close();

 private:
  std::shared_ptr<gloo::Context> live();
  std::mutex mutex_;  // one collective at a time, in call order
  std::shared_ptr<gloo::transport::Device> device_;
  std::shared_ptr<gloo::rendezvous::Context> context_;
};
