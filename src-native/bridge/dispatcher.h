// The one thread hop: libwebrtc threads -> JS thread.
// Any thread may Post() a task; tasks run on the JS thread in order. Posts that arrive while a
// drain is already scheduled join that drain, so a burst costs one wake-up of the event loop.
// Each task behaves as its own macrotask: the whole microtask queue drains between two tasks, as a
// browser runs them (an `await` after a promise we settle resumes before the next event fires;
// microtasks queued by one message handler run before the next message). The first task runs from
// the thread-safe function, the next from a process.nextTick queued by a microtask (it runs once
// the microtasks have drained), and every 64th from a setImmediate so timers and I/O get in. Node
// runs all of one thread-safe function callback inside one outer scope, so several tasks run
// there back to back would see no checkpoint.
// Messages (PostToSink) are the hot path: consecutive messages for one sink at the head of the
// queue reach JS as one call with an array, and JS dispatches them one per task with the same
// checkpoint between them (lib/message_batch.ts), then resumes the dispatcher. That saves the
// native round trip (callback scope, two native calls, one task object) per message.
#pragma once

#include <napi.h>

#include <memory>
#include <mutex>
#include <deque>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/functional/any_invocable.h"
#include "rtc_base/copy_on_write_buffer.h"

namespace nlw {

using JsTask = absl::AnyInvocable<void(Napi::Env) &&>;

// One message for a MessageSink: the bytes (libwebrtc's shared buffer, or the payload dcsctp
// handed over: runtime/direct_receive.h), and whether they are binary (else UTF-8 text).
struct QueuedMessage {
  QueuedMessage(rtc::CopyOnWriteBuffer data, bool binary, std::vector<uint8_t> owned = {})
      : data(std::move(data)), binary(binary), owned(std::move(owned)) {}
  // noexcept, which rtc::CopyOnWriteBuffer's own move constructor does not say: without it a
  // growing std::vector<QueuedMessage> copied every message it held, payload and all (3 % of a
  // bulk receiver, perf: bench/RESULTS.md "Session 17").
  QueuedMessage(QueuedMessage&&) noexcept = default;
  QueuedMessage& operator=(QueuedMessage&&) noexcept = default;

  rtc::CopyOnWriteBuffer data;
  bool binary = false;
  std::vector<uint8_t> owned;  // used instead of `data` when `data` is empty

  const uint8_t* bytes() const { return data.size() > 0 ? data.cdata() : owned.data(); }
  size_t size() const { return data.size() > 0 ? data.size() : owned.size(); }
};

static_assert(std::is_nothrow_move_constructible_v<QueuedMessage>, "vector growth must move, not copy");

// Where messages go on the JS thread (a data channel).
class MessageSink {
 public:
  virtual ~MessageSink() = default;
  // JS thread, inside the dispatcher's callback scope. Hands `messages` (in order) to JS. Returns
  // true if JS took over: it then calls `resume` exactly once, after its last message, and the
  // dispatcher runs nothing until then (`via_immediate`: JS calls it from a setImmediate, to let
  // timers and I/O in, rather than after the microtasks). False: the messages were dropped (the
  // sink is gone) and the dispatcher goes on by itself.
  virtual bool Deliver(Napi::Env env, std::vector<QueuedMessage>& messages, bool via_immediate,
                       napi_value resume) = 0;
};

class Dispatcher {
 public:
  // JS thread. The dispatcher starts unref'd: it keeps the event loop alive only while
  // KeepAlive(+1) calls outnumber KeepAlive(-1) calls.
  static std::shared_ptr<Dispatcher> Create(Napi::Env env);
  ~Dispatcher();

  // Any thread. Returns false (and drops the task) once Close() has run.
  bool Post(JsTask task);
  // Any thread. Messages for `sink`, in order with the tasks posted around them (joined to the
  // last entry if that is for the same sink).
  bool PostToSink(const std::shared_ptr<MessageSink>& sink, std::vector<QueuedMessage> messages);

  // JS thread.
  void KeepAlive(Napi::Env env, int delta);
  // JS thread. Drops queued tasks (their destructors run here), refuses later posts and releases
  // the JS values the dispatcher holds (Node does not free an addon's references for it).
  void Close();
  bool closed() const;

 private:
  Dispatcher() = default;
  static void CallJs(napi_env env, napi_value, void* context, void*);
  static void Finalize(napi_env, void* data, void*);
  static napi_value Resume(napi_env env, napi_callback_info info);
  void RunOne(napi_env env);

  // A task, or messages for a sink (those from `next` on are still to deliver).
  struct Entry {
    JsTask task;
    std::shared_ptr<MessageSink> sink;
    std::vector<QueuedMessage> messages;
    size_t next = 0;
  };
  // Runs a batch of messages; true if JS took over the continuation.
  bool DeliverMessages(napi_env env, const std::shared_ptr<MessageSink>& sink,
                       std::vector<QueuedMessage>& messages);

  mutable std::mutex mu_;
  std::deque<Entry> queue_;
  bool scheduled_ = false;
  bool closed_ = false;
  napi_env env_ = nullptr;  // for Close(), which runs on the JS thread
  napi_threadsafe_function tsfn_ = nullptr;
  napi_ref probe_ = nullptr;  // a no-op JS function: calling it tells whether JS may run
  napi_ref resource_ = nullptr;            // async resource of the callback scopes
  napi_async_context async_context_ = nullptr;
  napi_ref set_immediate_ = nullptr;       // global setImmediate
  napi_ref resume_ = nullptr;              // a JS function that runs the next task
  napi_ref after_microtasks_ = nullptr;    // (resume) => queue resume after the microtasks
  int chained_ = 0;                        // continuations since the last setImmediate
  static constexpr int kChainLimit = 64;  // also the most messages in one batch
  static constexpr size_t kBatchBytes = 256 * 1024;  // a batch ends once it holds this much
  int keep_alive_ = 0;  // JS thread only
};

}  // namespace nlw
