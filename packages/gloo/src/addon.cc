// Node-API glue: each collective runs on libuv's thread pool (napi_async_work) and settles a promise; a Gloo
// exception becomes a rejection carrying Gloo's message. Only the C API of node_api.h is used.
#include <node_api.h>

#include <exception>
#include <functional>
#include <memory>
#include <string>

#include "group.h"

namespace {

using GroupPtr = std::shared_ptr<Group>;

struct Work {
  napi_async_work work = nullptr;
  napi_deferred deferred = nullptr;
  napi_ref keepAlive = nullptr;  // the Float32Array whose memory the job reads and writes
  std::function<void()> job;
  GroupPtr created;  // set by connect's job
  std::string error;
};

#define CHECK(call)                                   \
  if ((call) != napi_ok) {                            \
    napi_throw_error(env, nullptr, "N-API: " #call); \
    return nullptr;                                   \
  }

void execute(napi_env, void* data) {
  auto* w = static_cast<Work*>(data);
  try {
    w->job();
  } catch (const std::exception& e) {
    w->error = e.what();
    if (w->error.empty()) w->error = "unknown Gloo failure";
  }
}

void finalizeGroup(napi_env, void* data, void*) { delete static_cast<GroupPtr*>(data); }

void complete(napi_env env, napi_status, void* data) {
  std::unique_ptr<Work> w(static_cast<Work*>(data));
  napi_value result;
  if (!w->error.empty()) {
    napi_value message;
    napi_create_string_utf8(env, w->error.c_str(), w->error.size(), &message);
    napi_create_error(env, nullptr, message, &result);
    napi_reject_deferred(env, w->deferred, result);
  } else {
    if (w->created) {
      napi_create_external(env, new GroupPtr(w->created), finalizeGroup, nullptr, &result);
    } else {
      napi_get_undefined(env, &result);
    }
    napi_resolve_deferred(env, w->deferred, result);
  }
  if (w->keepAlive) napi_delete_reference(env, w->keepAlive);
  napi_delete_async_work(env, w->work);
}

napi_value queue(napi_env env, std::unique_ptr<Work> w, napi_value keep) {
  napi_value promise, name;
  CHECK(napi_create_promise(env, &w->deferred, &promise));
  if (keep) CHECK(napi_create_reference(env, keep, 1, &w->keepAlive));
  CHECK(napi_create_string_utf8(env, "semiflow-gloo", NAPI_AUTO_LENGTH, &name));
  CHECK(napi_create_async_work(env, nullptr, name, execute, complete, w.get(), &w->work));
  CHECK(napi_queue_async_work(env, w->work));
  w.release();
  return promise;
}

std::string stringProp(napi_env env, napi_value obj, const char* key) {
  napi_value v;
  size_t len = 0;
  if (napi_get_named_property(env, obj, key, &v) != napi_ok) return "";
  if (napi_get_value_string_utf8(env, v, nullptr, 0, &len) != napi_ok) return "";
  std::string s(len, '\0');
  napi_get_value_string_utf8(env, v, s.data(), len + 1, &len);
  return s;
}

int64_t intProp(napi_env env, napi_value obj, const char* key) {
  napi_value v;
  int64_t out = 0;
  napi_get_named_property(env, obj, key, &v);
  napi_get_value_int64(env, v, &out);
  return out;
}

// connect({ rank, size, storeKind, storeHost, storePort, storePath, prefix, hostname, iface, timeoutMs })
napi_value Connect(napi_env env, napi_callback_info info) {
  size_t argc = 1;
  napi_value o;
  CHECK(napi_get_cb_info(env, info, &argc, &o, nullptr, nullptr));
  GroupOptions opts;
  opts.rank = static_cast<int>(intProp(env, o, "rank"));
  opts.size = static_cast<int>(intProp(env, o, "size"));
  opts.storeKind = stringProp(env, o, "storeKind");
  opts.storeHost = stringProp(env, o, "storeHost");
  opts.storePort = static_cast<int>(intProp(env, o, "storePort"));
  opts.storePath = stringProp(env, o, "storePath");
  opts.prefix = stringProp(env, o, "prefix");
  opts.hostname = stringProp(env, o, "hostname");
  opts.iface = stringProp(env, o, "iface");
  opts.timeout = std::chrono::milliseconds(intProp(env, o, "timeoutMs"));
  auto w = std::make_unique<Work>();
  Work* raw = w.get();
  w->job = [raw, opts] { raw->created = std::make_shared<Group>(opts); };
  return queue(env, std::move(w), nullptr);
}

// The group behind args[0] and the Float32Array in args[1] (if wanted).
bool unpack(napi_env env, napi_value* args, GroupPtr* group, float** data, size_t* count) {
  void* ext = nullptr;
  if (napi_get_value_external(env, args[0], &ext) != napi_ok) return false;
  *group = *static_cast<GroupPtr*>(ext);
  if (!data) return true;
  napi_typedarray_type type;
  void* ptr = nullptr;
  if (napi_get_typedarray_info(env, args[1], &type, count, &ptr, nullptr, nullptr) != napi_ok) return false;
  if (type != napi_float32_array) return false;
  *data = static_cast<float*>(ptr);
  return true;
}

enum class Op { AllReduceSum, Broadcast, Barrier, Close };

napi_value Collective(napi_env env, napi_callback_info info, Op op) {
  size_t argc = 3;
  napi_value args[3];
  CHECK(napi_get_cb_info(env, info, &argc, args, nullptr, nullptr));
  GroupPtr group;
  float* data = nullptr;
  size_t count = 0;
  bool withData = op == Op::AllReduceSum || op == Op::Broadcast;
  if (!unpack(env, args, &group, withData ? &data : nullptr, &count)) {
    napi_throw_type_error(env, nullptr, "semiflow-gloo: expected (group, Float32Array[, root])");
    return nullptr;
  }
  int32_t root = 0;
  if (op == Op::Broadcast) CHECK(napi_get_value_int32(env, args[2], &root));
  auto w = std::make_unique<Work>();
  switch (op) {
    case Op::AllReduceSum: w->job = [group, data, count] { group->allReduceSum(data, count); }; break;
    case Op::Broadcast: w->job = [group, data, count, root] { group->broadcast(data, count, root); }; break;
    case Op::Barrier: w->job = [group] { group->barrier(); }; break;
    case Op::Close: w->job = [group] { group->close(); }; break;
  }
  return queue(env, std::move(w), withData ? args[1] : nullptr);
}

napi_value AllReduceSum(napi_env env, napi_callback_info info) { return Collective(env, info, Op::AllReduceSum); }
napi_value Broadcast(napi_env env, napi_callback_info info) { return Collective(env, info, Op::Broadcast); }
napi_value Barrier(napi_env env, napi_callback_info info) { return Collective(env, info, Op::Barrier); }
napi_value Close(napi_env env, napi_callback_info info) { return Collective(env, info, Op::Close); }

napi_value Init(napi_env env, napi_value exports) {
  napi_property_descriptor props[] = {
      {"connect", nullptr, Connect, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"allReduceSum", nullptr, AllReduceSum, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"broadcast", nullptr, Broadcast, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"barrier", nullptr, Barrier, nullptr, nullptr, nullptr, napi_default, nullptr},
      {"close", nullptr, Close, nullptr, nullptr, nullptr, napi_default, nullptr},
  };
  CHECK(napi_define_properties(env, exports, sizeof(props) / sizeof(props[0]), props));
  return exports;
}

}  // namespace

NAPI_MODULE(NODE_GYP_MODULE_NAME, Init)
