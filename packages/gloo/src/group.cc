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

const char* const kOps[] = {"allReduceSum", "broadcast", "barrier"};

// Ranks that call different operations, or pass different lengths or roots, would make Gloo abort the process or
// hang; so every rank first learns the largest and smallest of each (max over [x, -x], exact in doubles), and all
// of them throw alike if the two differ.
void checkAgree(const std::shared_ptr<gloo::Context>& context, int op, size_t count, int root) {
  const double mine[3] = {static_cast<double>(op), static_cast<double>(count), static_cast<double>(root)};
  double bounds[6];
  for (int i = 0; i < 3; i++) bounds[2 * i] = mine[i], bounds[2 * i + 1] = -mine[i];
  gloo::AllreduceOptions opts(context);
  opts.setOutput(bounds, 6);
  opts.setReduceFunction(static_cast<Reduce>(&gloo::max<double>));
  gloo::allreduce(opts);
  auto low = [&](int i) { return static_cast<long long>(-bounds[2 * i + 1]); };
  auto high = [&](int i) { return static_cast<long long>(bounds[2 * i]); };
  if (low(0) != high(0)) {
    throw std::invalid_argument(std::string("the ranks called different operations (") + kOps[low(0)] + " and " + kOps[high(0)] +
                                "): every rank must call the same ones in the same order");
  }
  if (low(1) != high(1)) {
    throw std::invalid_argument("the ranks passed arrays of different lengths (from " + std::to_string(low(1)) + " to " + std::to_string(high(1)) + " floats)");
  }
  if (low(2) != high(2)) {
    throw std::invalid_argument("the ranks gave different roots (from " + std::to_string(low(2)) + " to " + std::to_string(high(2)) + ")");
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
  checkAgree(context, 0, count, 0);
  gloo::AllreduceOptions opts(context);
  opts.setOutput(data, count);
  opts.setReduceFunction(static_cast<Reduce>(&gloo::sum<float>));
  gloo::allreduce(opts);
}

void Group::broadcast(float* data, size_t count, int root) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto context = live();
  checkAgree(context, 1, count, root);
  gloo::BroadcastOptions opts(context);
  opts.setOutput(data, count);
  opts.setRoot(root);
  gloo::broadcast(opts);
}

void Group::barrier() {
  std::lock_guard<std::mutex> lock(mutex_);
  auto context = live();
  checkAgree(context, 2, 0, 0);
  gloo::BarrierOptions opts(context);
  gloo::barrier(opts);
}

void Group::close() {
  std::lock_guard<std::mutex> lock(mutex_);
  context_.reset();
  device_.reset();
}
