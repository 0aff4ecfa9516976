// The one thread hop: libwebrtc threads -> JS thread.
// Any thread may Post() a task; tasks run on the JS thread in order. Posts that arrive while a
// drain is already scheduled join that drain, so a burst costs one wake-up of the event loop.
// Each task is its own macrotask: the first runs from the thread-safe function, the rest each from
// a setImmediate, so microtasks run between tasks as a browser runs them (an `await` after a
// promise we settle resumes before the next event fires). Node runs all of one thread-safe
// function callback inside one outer scope, so several tasks there would see no checkpoint.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <deque>
#include <vector>

#include "absl/functional/any_invocable.h"

namespace nlw {

using JsTask = absl::AnyInvocable<void(Napi::Env) &&>;

class Dispatcher {
 public:
  // JS thread. The dispatcher starts unref'd: it keeps the event loop alive only while
  // KeepAlive(+1) calls outnumber KeepAlive(-1) calls.
  static std::shared_ptr<Dispatcher> Create(Napi::Env env);
  ~Dispatcher();

  // Any thread. Returns false (and drops the task) once Close() has run.
  bool Post(JsTask task);

  // JS thread.
  void KeepAlive(Napi::Env env, int delta);
  // JS thread. Drops queued tasks (their destructors run here) and refuses later posts.
  void Close();
  bool closed() const;

 private:
  Dispatcher() = default;
  static void CallJs(napi_env env, napi_value, void* context, void*);
  static void Finalize(napi_env, void* data, void*);
  static napi_value Resume(napi_env env, napi_callback_info info);
  void RunOne(napi_env env);

  mutable std::mutex mu_;
  std::deque<JsTask> queue_;
  bool scheduled_ = false;
  bool closed_ = false;
  napi_threadsafe_function tsfn_ = nullptr;
  napi_env env_ = nullptr;  // the JS thread's; used by Close() only
  napi_ref probe_ = nullptr;  // a no-op JS function: calling it tells whether JS may run
  napi_ref resource_ = nullptr;            // async resource of the callback scopes
  napi_async_context async_context_ = nullptr;
  napi_ref set_immediate_ = nullptr;       // global setImmediate
  napi_ref resume_ = nullptr;              // a JS function that runs the next task
  int keep_alive_ = 0;  // JS thread only
};

}  // namespace nlw
