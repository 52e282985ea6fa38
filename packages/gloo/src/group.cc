#include "group.h"

#include <stdexcept>
#include <string>

#include <gloo/allreduce.h>
#include <gloo/barrier.h>
#include <gloo/broadcast.h>
#include <gloo/math.h>
#include <gloo/rendezvous/file_store.h>
#include <gloo/rendezvous/prefix_store.h>
#include <gloo/rendezvous/redis_store.h>
#include <gloo/transport/tcp/device.h>

namespace {

std::unique_ptr<gloo::rendezvous::Store> openStore(const GroupOptions& o) {
  if (o.storeKind == "redis") return std::make_unique<gloo::rendezvous::RedisStore>(o.storeHost, o.storePort);
  if (o.storeKind == "file") return std::make_unique<gloo::rendezvous::FileStore>(o.storePath);
  throw std::invalid_argument("unknown store kind '" + o.storeKind + "'");
}

using Reduce = void (*)(void*, const void*, const void*, size_t);

// Gloo aborts the process when ranks pass different lengths, so every rank first learns the largest and the
// smallest length (max of [n, -n], exact in doubles) and all of them throw alike if the two differ.
void checkSameLength(const std::shared_ptr<gloo::Context>& context, size_t count) {
  double bounds[2] = {static_cast<double>(count), -static_cast<double>(count)};
  gloo::AllreduceOptions opts(context);
  opts.setOutput(bounds, 2);
  opts.setReduceFunction(static_cast<Reduce>(&gloo::max<double>));
  gloo::allreduce(opts);
  if (bounds[0] != -bounds[1]) {
    throw std::invalid_argument("the ranks passed arrays of different lengths (from " + std::to_string(static_cast<size_t>(-bounds[1])) +
                                " to " + std::to_string(static_cast<size_t>(bounds[0])) + " floats)");
  }
}

}  // namespace

Group::Group(const GroupOptions& o) {
  gloo::transport::tcp::attr attr;
  attr.hostname = o.hostname;
  attr.iface = o.iface;
  device_ = gloo::transport::tcp::CreateDevice(attr);
  auto store = openStore(o);
  gloo::rendezvous::PrefixStore prefixed(o.prefix, *store);
  context_ = std::make_shared<gloo::rendezvous::Context>(o.rank, o.size);
  context_->setTimeout(o.timeout);
  context_->connectFullMesh(prefixed, device_);
}

std::shared_ptr<gloo::Context> Group::live() {
  if (!context_) throw std::logic_error("the group is closed");
  return context_;
}

void Group::allReduceSum(float* data, size_t count) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto context = live();
  checkSameLength(context, count);
  gloo::AllreduceOptions opts(context);
  opts.setOutput(data, count);
  opts.setReduceFunction(static_cast<Reduce>(&gloo::sum<float>));
  gloo::allreduce(opts);
}

void Group::broadcast(float* data, size_t count, int root) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto context = live();
  checkSameLength(context, count);
  gloo::BroadcastOptions opts(context);
  opts.setOutput(data, count);
  opts.setRoot(root);
  gloo::broadcast(opts);
}

void Group::barrier() {
  std::lock_guard<std::mutex> lock(mutex_);
  gloo::BarrierOptions opts(live());
  gloo::barrier(opts);
}

void Group::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  context_.reset();
  device_.reset();
}
