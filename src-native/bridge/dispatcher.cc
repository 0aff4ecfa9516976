#include "bridge/dispatcher.h"

#include <algorithm>
#include <iterator>

namespace nlw {

std::shared_ptr<Dispatcher> Dispatcher::Create(Napi::Env env) {
  std::shared_ptr<Dispatcher> d(new Dispatcher());
  d->env_ = env;
  // The TSFN's context is a heap shared_ptr, deleted by the TSFN finalizer: the dispatcher
  // outlives every call the TSFN can still make.
  auto* holder = new std::shared_ptr<Dispatcher>(d);
  napi_value name;
  napi_create_string_utf8(env, "node-libwebrtc", NAPI_AUTO_LENGTH, &name);
  napi_status s = napi_create_threadsafe_function(env, nullptr, nullptr, name, 0, 1, holder,
                                                  Finalize, holder, CallJs, &d->tsfn_);
  if (s != napi_ok) {
    delete holder;
    d->closed_ = true;
    return d;
  }
  napi_unref_threadsafe_function(env, d->tsfn_);
  napi_value probe;
  napi_create_function(env, "probe", NAPI_AUTO_LENGTH,
                       [](napi_env, napi_callback_info) -> napi_value { return nullptr; }, nullptr,
                       &probe);
  napi_create_reference(env, probe, 1, &d->probe_);
  napi_value resource;
  napi_create_object(env, &resource);
  napi_create_reference(env, resource, 1, &d->resource_);
  napi_async_init(env, resource, name, &d->async_context_);
  napi_value global, set_immediate, resume;
  napi_get_global(env, &global);
  napi_get_named_property(env, global, "setImmediate", &set_immediate);
  napi_create_reference(env, set_immediate, 1, &d->set_immediate_);
  // The cheap continuation: a tick queued from a microtask runs once the whole microtask queue
  // (nested jobs too) has drained, so the next event still sees a full checkpoint, as a new task would.
  napi_value source, after_microtasks;
  napi_create_string_utf8(env, "(resume) => { queueMicrotask(() => process.nextTick(resume)) }",
                          NAPI_AUTO_LENGTH, &source);
  if (napi_run_script(env, source, &after_microtasks) == napi_ok)
    napi_create_reference(env, after_microtasks, 1, &d->after_microtasks_);
  auto* weak = new std::weak_ptr<Dispatcher>(d);
  napi_create_function(env, "nodeLibwebrtcResume", NAPI_AUTO_LENGTH, Resume, weak, &resume);
  napi_add_finalizer(env, resume, weak,
                     [](napi_env, void* data, void*) { delete static_cast<std::weak_ptr<Dispatcher>*>(data); },
                     nullptr, nullptr);
  napi_create_reference(env, resume, 1, &d->resume_);
  return d;
}

Dispatcher::~Dispatcher() = default;

void Dispatcher::Finalize(napi_env, void* data, void*) {
  delete static_cast<std::shared_ptr<Dispatcher>*>(data);
}

void Dispatcher::CallJs(napi_env env, napi_value, void* context, void*) {
  if (env == nullptr) return;  // torn down with a call still queued
  (*static_cast<std::shared_ptr<Dispatcher>*>(context))->RunOne(env);
}

napi_value Dispatcher::Resume(napi_env env, napi_callback_info info) {
  void* data = nullptr;
  napi_get_cb_info(env, info, nullptr, nullptr, nullptr, &data);
  if (auto d = static_cast<std::weak_ptr<Dispatcher>*>(data)->lock()) d->RunOne(env);
  return nullptr;
}

bool Dispatcher::Post(JsTask task) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  queue_.push_back(Entry{std::move(task), nullptr, {}, 0});
  if (!scheduled_) {
    scheduled_ = true;
    napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
  }
  return true;
}

bool Dispatcher::PostToSink(const std::shared_ptr<MessageSink>& sink, std::vector<QueuedMessage> messages) {
  if (messages.empty()) return true;
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return false;
  if (!queue_.empty() && queue_.back().sink == sink) {
    std::vector<QueuedMessage>& to = queue_.back().messages;
    to.insert(to.end(), std::make_move_iterator(messages.begin()), std::make_move_iterator(messages.end()));
  } else {
    queue_.push_back(Entry{nullptr, sink, std::move(messages), 0});
  }
  if (!scheduled_) {
    scheduled_ = true;
    napi_call_threadsafe_function(tsfn_, nullptr, napi_tsfn_nonblocking);
  }
  return true;
}

void Dispatcher::RunOne(napi_env raw_env) {
  JsTask task;
  std::shared_ptr<MessageSink> sink;
  std::vector<QueuedMessage> messages;
  bool more = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (queue_.empty()) {
      scheduled_ = false;
      return;
    }
    if (queue_.front().sink) {
      // The messages for one sink at the head of the queue, up to kChainLimit: one call into JS.
      // scheduled_ stays set: nothing may run before JS resumes (or we go on below).
      Entry& front = queue_.front();
      sink = front.sink;
      // At most kChainLimit messages or kBatchBytes (then at least one): large messages are
      // made into JS values one batch at a time, not megabytes at once.
      size_t n = std::min(front.messages.size() - front.next, static_cast<size_t>(kChainLimit));
      messages.reserve(n);
      size_t bytes = 0;
      for (size_t i = 0; i < n && (i == 0 || bytes < kBatchBytes); i++) {
        bytes += front.messages[front.next].size();
        messages.push_back(std::move(front.messages[front.next++]));
      }
      if (front.next == front.messages.size()) queue_.pop_front();
      more = true;
    } else {
      task = std::move(queue_.front().task);
      queue_.pop_front();
      more = !queue_.empty();
      if (!more) scheduled_ = false;  // the next Post wakes the thread-safe function again
    }
  }
  Napi::Env env(raw_env);
  Napi::HandleScope scope(env);
  // While Node tears an environment down it still runs pending async handles, but JS may no
  // longer be called: drop the work rather than fail inside a task.
  napi_value fn, global, result;
  if (napi_get_reference_value(raw_env, probe_, &fn) != napi_ok || fn == nullptr ||
      napi_get_global(raw_env, &global) != napi_ok ||
      napi_call_function(raw_env, global, fn, 0, nullptr, &result) != napi_ok) {
    if (sink) {
      std::lock_guard<std::mutex> lock(mu_);
      scheduled_ = false;
    }
    return;
  }
  napi_value resource;
  napi_get_reference_value(raw_env, resource_, &resource);
  napi_callback_scope cb_scope = nullptr;
  napi_open_callback_scope(raw_env, resource, async_context_, &cb_scope);
  bool handed_off = false;
  if (sink) {
    handed_off = DeliverMessages(raw_env, sink, messages);
    if (!handed_off) {
      std::lock_guard<std::mutex> lock(mu_);
      more = !queue_.empty();
      if (!more) scheduled_ = false;
    }
  } else {
    std::move(task)(env);
  }
  // A throwing event handler must not stop the queue: report it as Node reports an exception
  // thrown by a listener (uncaughtException), then go on.
  bool pending = false;
  napi_is_exception_pending(raw_env, &pending);
  if (pending) {
    napi_value err;
    napi_get_and_clear_last_exception(raw_env, &err);
    napi_fatal_exception(raw_env, err);
  }
  if (handed_off) {
    // JS calls resume_ when its messages are delivered.
  } else if (more && !closed()) {  // the task may have shut the runtime down (Close() freed the refs)
    // Most continuations go after the microtasks; every kChainLimit-th is a setImmediate, so that
    // a long burst lets timers and I/O in as a browser's task queue would.
    napi_value next, resume;
    bool chain = after_microtasks_ != nullptr && ++chained_ < kChainLimit;
    if (!chain) chained_ = 0;
    napi_get_reference_value(raw_env, chain ? after_microtasks_ : set_immediate_, &next);
    napi_get_reference_value(raw_env, resume_, &resume);
    napi_call_function(raw_env, global, next, 1, &resume, &result);
  } else {
    chained_ = 0;
  }
  if (cb_scope != nullptr) napi_close_callback_scope(raw_env, cb_scope);
}

bool Dispatcher::DeliverMessages(napi_env raw_env, const std::shared_ptr<MessageSink>& sink,
                                 std::vector<QueuedMessage>& messages) {
  if (closed()) return false;
  napi_value resume;
  if (napi_get_reference_value(raw_env, resume_, &resume) != napi_ok || resume == nullptr) return false;
  // JS chains the messages after one another (one continuation each): they count towards the
  // next yield to timers and I/O as the native continuations do.
  chained_ += static_cast<int>(messages.size());
  bool via_immediate = chained_ >= kChainLimit || after_microtasks_ == nullptr;
  if (via_immediate) chained_ = 0;
  return sink->Deliver(Napi::Env(raw_env), messages, via_immediate, resume);
}

void Dispatcher::KeepAlive(Napi::Env env, int delta) {
  if (tsfn_ == nullptr || closed()) return;
  int before = keep_alive_;
  keep_alive_ += delta;
  if (before == 0 && keep_alive_ > 0) napi_ref_threadsafe_function(env, tsfn_);
  if (before > 0 && keep_alive_ == 0) napi_unref_threadsafe_function(env, tsfn_);
}

void Dispatcher::Close() {
  std::deque<Entry> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    dropped.swap(queue_);
  }
  dropped.clear();
  if (tsfn_ != nullptr) napi_release_threadsafe_function(tsfn_, napi_tsfn_abort);
  // The JS values the dispatcher held (Close runs on the JS thread, before the env is gone).
  // RunOne finds the queue empty from now on and touches none of them.
  if (env_ != nullptr) {
    for (napi_ref* ref : {&probe_, &resource_, &set_immediate_, &resume_, &after_microtasks_}) {
      if (*ref != nullptr) napi_delete_reference(env_, *ref);
      *ref = nullptr;
    }
    if (async_context_ != nullptr) napi_async_destroy(env_, async_context_);
    async_context_ = nullptr;
  }
}

bool Dispatcher::closed() const {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

}  // namespace nlw
