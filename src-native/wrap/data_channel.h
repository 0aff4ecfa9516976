// RTCDataChannel's native half. JS (lib/RTCDataChannel.ts) keeps readyState, bufferedAmount and
// the spec's checks; this side moves bytes:
//   send:    JS thread -> one ordered queue -> signaling thread -> the SCTP transport on the
//            network thread (one hop each per burst, not per message; see SendDirect); what
//            dcsctp's full send buffer refuses waits on the signaling thread for room
//   receive: the SCTP socket's callback (network = signaling thread, past libwebrtc's per-message
//            task while the channel is open: runtime/direct_receive.h) -> dispatcher (one JS wake-up per burst, one JS call per batch of
//            messages, dispatched one per task in JS: lib/message_batch.ts)
#pragma once

#include <napi.h>

#include <atomic>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <vector>

#include "api/data_channel_interface.h"
#include "bridge/dispatcher.h"
#include "bridge/link.h"
#include "runtime/direct_receive.h"
#include "runtime/runtime.h"

namespace cricket {
class SctpTransportInternal;
}

namespace nlw {

struct SctpPath;
class DataChannel;
struct PeerConnectionShared;

// A channel's attributes, read together on the signaling thread.
struct ChannelInfo {
  std::string label, protocol;
  bool ordered = true, negotiated = false;
  absl::optional<int> life, rtx;
  int id = -1;
  webrtc::Priority priority = webrtc::Priority::kLow;
  webrtc::DataChannelInterface::DataState state = webrtc::DataChannelInterface::kConnecting;

  static ChannelInfo Read(webrtc::DataChannelInterface* ch);  // signaling thread
};

// A message send() was given: the bytes (UTF-8 for a string) in the vector dcsctp takes over
// (runtime/sctp_direct_send.h).
struct OutgoingMessage {
  std::vector<uint8_t> bytes;
  bool binary = false;
};

// What DataChannelCore::SendDirect sent and OnDirectMessage received past libwebrtc's channel
// (which does not count it).
struct DirectCounts {
  uint64_t messages = 0;  // sent
  uint64_t bytes = 0;
  uint64_t messages_received = 0;
  uint64_t bytes_received = 0;
};

// Lives as long as anyone (the wrapper, a queued task, libwebrtc's observer slot) needs it.
class DataChannelCore : public webrtc::DataChannelObserver,
                        public MessageSink,
                        public DirectMessageReceiver,
                        public std::enable_shared_from_this<DataChannelCore> {
 public:
  DataChannelCore(std::shared_ptr<Runtime> runtime,
                  rtc::scoped_refptr<webrtc::DataChannelInterface> channel,
                  const std::shared_ptr<PeerConnectionShared>& connection);
  ~DataChannelCore() override;

  // Signaling thread, or before the channel is shared. Registers the observer.
  void Observe();
  // JS thread.
  void Send(OutgoingMessage message);
  void Close();
  void Release();  // unregisters the observer and drops the channel (on the signaling thread)
  // JS thread, until Release().
  webrtc::DataChannelInterface* channel() const { return released_ ? nullptr : channel_.get(); }
  const LinkPtr<DataChannel>& link() const { return link_; }
  rtc::Thread* signaling() const { return signaling_; }

  // Signaling thread, before the channel is shared: what the JS wrapper's first info() returns.
  void SetInitialInfo(ChannelInfo info);
  // JS thread: that info, once.
  std::optional<ChannelInfo> TakeInitialInfo();
  // Signaling thread: reads the SCTP stream id into known_id() once libwebrtc has given one.
  void RefreshId();
  // Any thread: the stream id as of the last RefreshId (or -1), without asking the signaling thread.
  int known_id() const { return known_id_.load(); }

  // Signaling thread: the counts of the direct path if this channel, not closed, sent with stream
  // id `sid` and label `label` (getStats adds them to the channel's data-channel stats).
  bool ReadDirectCounts(int sid, const std::string& label, DirectCounts* out) const;

  // webrtc::DataChannelObserver (signaling thread)
  void OnStateChange() override;
  void OnMessage(const webrtc::DataBuffer& buffer) override;
  void OnBufferedAmountChange(uint64_t sent_data_size) override;

  // DirectMessageReceiver (network = signaling thread)
  void OnDirectMessage(std::vector<uint8_t> payload, bool binary) override;

  // MessageSink (JS thread)
  bool Deliver(Napi::Env env, std::vector<QueuedMessage>& messages, bool via_immediate,
               napi_value resume) override;

 private:
  void FlushOutgoing();  // signaling thread
  // Signaling thread: hands the messages received so far to the dispatcher in one post. Runs as a
  // task queued behind the burst's other messages, and before any other event of this channel.
  void FlushIncoming();
  // Signaling thread. Hands the leading messages of `batch` straight to the SCTP transport in one
  // network-thread call; returns how many it sent.
  // `*full`: stopped at a message dcsctp refused for lack of room (it then waits for room).
  size_t SendDirect(std::deque<std::optional<OutgoingMessage>>& batch, bool* full);
  void WaitForSendBufferRoom(cricket::SctpTransportInternal* transport);  // network thread
  void OnSendBufferRoom();  // signaling thread
  // Signaling thread: takes this stream's data messages from the SCTP socket while the channel is
  // open (runtime/direct_receive.h), or stops.
  void UpdateDirectReceive(webrtc::DataChannelInterface::DataState state);
  void StopDirectReceive();
  void NoteDirectSid(int sid);

  // How long a channel waits for dcsctp's word that its send buffer has room before it looks again.
  static constexpr int kSendBufferRetryMs = 50;

  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<Dispatcher> dispatcher_;
  rtc::Thread* signaling_;
  rtc::scoped_refptr<webrtc::DataChannelInterface> channel_;
  LinkPtr<DataChannel> link_;
  std::weak_ptr<PeerConnectionShared> connection_;  // for its SCTP transport (signaling thread)

  std::mutex mu_;
  std::vector<std::optional<OutgoingMessage>> outgoing_;  // nullopt: close()
  bool outgoing_posted_ = false;
  uint64_t sent_bytes_ = 0;
  bool sent_posted_ = false;
  std::atomic<int> known_id_{-1};
  // Signaling thread: messages received and not yet handed to the dispatcher.
  std::vector<QueuedMessage> incoming_;
  bool incoming_posted_ = false;
  // Signaling thread (the network thread too in our runtime: one thread per shard): messages taken
  // from outgoing_ and not yet handed on (dcsctp's send buffer was full), in order; whether one of
  // them is close(); whether we wait for room.
  std::deque<std::optional<OutgoingMessage>> pending_;
  bool close_pending_ = false;
  bool waiting_for_room_ = false;
  bool room_retry_pending_ = false;  // a delayed look at the send buffer is queued
  // Signaling thread: the direct path's counts, and the stream id and label they were sent with.
  DirectCounts direct_counts_;
  int direct_sid_ = -1;
  // Signaling thread: where this channel takes received messages directly, if it does.
  std::weak_ptr<SctpPath> direct_path_;
  int direct_rx_sid_ = -1;
  std::string direct_label_;
  std::optional<ChannelInfo> initial_info_;  // under mu_
  bool observing_ = false;  // signaling thread once shared
  bool released_ = false;   // JS thread
};

class DataChannel : public Napi::ObjectWrap<DataChannel>, public NativeResource {
 public:
  static Napi::Function Define(Napi::Env env);
  // Wraps `core` in a new JS object (JS thread).
  static Napi::Object Create(Napi::Env env, std::shared_ptr<DataChannelCore> core);

  explicit DataChannel(const Napi::CallbackInfo& info);
  ~DataChannel() override;
  void ReleaseNative() override;

  // Called by core tasks on the JS thread.
  void Emit(Napi::Env env, std::initializer_list<napi_value> args);
  // A batch of messages, args[3...] (args[0..2] are filled here): true if the JS handler took it
  // (and with it the dispatcher's resume).
  bool EmitMessages(Napi::Env env, std::vector<napi_value>& args, bool via_immediate, napi_value resume);

 private:
  Napi::Value Info(const Napi::CallbackInfo& info);
  Napi::Value Id(const Napi::CallbackInfo& info);
  Napi::Value KnownId(const Napi::CallbackInfo& info);
  void SetEventHandler(const Napi::CallbackInfo& info);
  void Send(const Napi::CallbackInfo& info);
  void Close(const Napi::CallbackInfo& info);
  // release(): the channel is closed; let libwebrtc's objects go now rather than at GC.
  void Release(const Napi::CallbackInfo& info);

  std::shared_ptr<Runtime> runtime_;
  std::shared_ptr<DataChannelCore> core_;
  Napi::FunctionReference on_event_;
};

}  // namespace nlw
