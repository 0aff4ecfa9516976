#include "wrap/data_channel.h"

#include "addon.h"
#include "convert/enums.h"
#include "convert/errors.h"
#include "pc/sctp_transport.h"
#include "rtc_base/thread.h"
#include "runtime/datagram_batch.h"
#include "runtime/network_thread.h"
#include "runtime/sctp_direct_send.h"
#include "runtime/sctp_factory.h"
#include "wrap/peer_connection_observer.h"

namespace nlw {

DataChannelCore::DataChannelCore(std::shared_ptr<Runtime> runtime,
                                 rtc::scoped_refptr<webrtc::DataChannelInterface> channel,
                                 const std::shared_ptr<PeerConnectionShared>& connection)
    : runtime_(std::move(runtime)),
      dispatcher_(runtime_->dispatcher()),
      signaling_(connection->signaling_thread()),
      channel_(std::move(channel)),
      link_(std::make_shared<Link<DataChannel>>()),
      connection_(connection) {}

DataChannelCore::~DataChannelCore() {
  // Dropped without Release() (a 'datachannel' task discarded at shutdown): libwebrtc must not
  // call back into freed memory.
  if (channel_ && observing_) channel_->UnregisterObserver();
}

void DataChannelCore::Observe() {
  observing_ = true;
  channel_->RegisterObserver(this);  // delivers what libwebrtc's channel held for an observer
  if (std::shared_ptr<PeerConnectionShared> shared = connection_.lock()) shared->AddChannel(shared_from_this());
  // Open already (no state change will tell): receive past libwebrtc's channel from now on.
  if (signaling_->IsCurrent()) UpdateDirectReceive(channel_->state());
}

void DataChannelCore::RefreshId() {
  if (known_id_.load() < 0 && channel_) known_id_ = channel_->id();
}

void DataChannelCore::Release() {
  if (released_) return;
  released_ = true;
  // On the signaling thread, after any send or close() queued before it; the JS thread does not
  // wait. After UnregisterObserver no callback into this object is running or will run.
  signaling_->PostTask([self = shared_from_this()] {
    if (!self->channel_) return;
    self->StopDirectReceive();
    if (self->observing_) self->channel_->UnregisterObserver();
    self->observing_ = false;
    // A channel JS dropped (GC) or a runtime shutting down ends the channel, as close() would.
    if (self->channel_->state() != webrtc::DataChannelInterface::kClosed) self->channel_->Close();
    self->channel_ = nullptr;
  });
}

void DataChannelCore::Send(OutgoingMessage message) {
  std::lock_guard<std::mutex> lock(mu_);
  outgoing_.emplace_back(std::move(message));
  if (!outgoing_posted_) {
    outgoing_posted_ = true;
    signaling_->PostTask([self = shared_from_this()] { self->FlushOutgoing(); });
  }
}

void DataChannelCore::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  outgoing_.emplace_back(std::nullopt);  // after everything sent before it
  if (!outgoing_posted_) {
    outgoing_posted_ = true;
    signaling_->PostTask([self = shared_from_this()] { self->FlushOutgoing(); });
  }
}

void DataChannelCore::FlushOutgoing() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (auto& m : outgoing_) {
      close_pending_ = close_pending_ || !m;
      pending_.push_back(std::move(m));
    }
    outgoing_.clear();
    outgoing_posted_ = false;
  }
  webrtc::DataChannelInterface* ch = channel_.get();
  if (ch == nullptr) {
    pending_.clear();
    return;
  }
  // Waiting for room in dcsctp's buffer: nothing would go now. A close() instead hands everything
  // to libwebrtc's channel below, which sends its queue before it closes.
  if (pending_.empty() || (waiting_for_room_ && !close_pending_)) return;
  bool full = false;
  size_t sent = SendDirect(pending_, &full);
  pending_.erase(pending_.begin(), pending_.begin() + static_cast<std::ptrdiff_t>(sent));
  if (full && !close_pending_ && ch->state() == webrtc::DataChannelInterface::kOpen) return;
  for (; !pending_.empty(); pending_.pop_front()) {
    if (const auto& m = pending_.front())
      ch->Send(webrtc::DataBuffer(rtc::CopyOnWriteBuffer(m->bytes.data(), m->bytes.size()), m->binary));
    else ch->Close();
  }
}

void DataChannelCore::OnSendBufferRoom() {
  if (!waiting_for_room_) return;
  waiting_for_room_ = false;
  FlushOutgoing();
}

// SctpDataChannel::Send makes one blocking signaling -> network hop per message, and dcsctp then
// sends each message in a packet of its own as it arrives: 17k small messages/s at most, with the
// threads busy switching. Handing a whole batch to the SCTP transport in one hop lets dcsctp queue
// what the congestion window cannot take yet and bundle it into full packets (130-140k/s).
// libwebrtc's channel then does not count these messages (its messagesSent/bytesSent).
//
// When dcsctp's send buffer is full (2 MB: a sender faster than the path or the receiver), the
// rest stays here, counted in bufferedAmount, until dcsctp reports room (`*full`, and
// WaitForSendBufferRoom). Handing it to libwebrtc's channel instead, as before, sent it one message
// at a time through the channel's own queue once room came, and kept the direct path off until
// that queue had drained: more than half of a 100-byte stream went that way, at ~0.7 us more
// sender CPU per message (bench/RESULTS.md).
size_t DataChannelCore::SendDirect(std::deque<std::optional<OutgoingMessage>>& batch, bool* full) {
  webrtc::DataChannelInterface* ch = channel_.get();
  // Only where SctpDataChannel::Send would do exactly this: open, nothing of its own queued (a
  // blocked transport: it resends that queue when the transport is ready), and no
  // ordered-until-acknowledged rule (an unordered in-band channel sends ordered until the peer
  // acknowledges its OPEN).
  if (ch->state() != webrtc::DataChannelInterface::kOpen || ch->buffered_amount() != 0) return 0;
  if (!ch->ordered() && !ch->negotiated()) return 0;
  // The connection's own reading of the transport: no hop of ours to fetch it.
  std::shared_ptr<PeerConnectionShared> shared = connection_.lock();
  if (!shared || !shared->sctp) return 0;
  auto* sctp = static_cast<webrtc::SctpTransport*>(shared->sctp.get());
  webrtc::SendDataParams params;
  params.ordered = ch->ordered();
  if (auto n = ch->maxRetransmitsOpt()) params.max_rtx_count = *n;
  if (auto ms = ch->maxPacketLifeTime()) params.max_rtx_ms = *ms;
  int sid = ch->id();
  size_t sent = 0;
  uint64_t sent_bytes = 0;
  shared->network_thread->BlockingCall([&] {
    if (sctp->internal() == nullptr) return;
    DatagramBatch joined;  // the packets of the whole burst
    SctpDirectSender sender(sctp->internal());
    for (; sent < batch.size() && batch[sent] && !batch[sent]->bytes.empty(); sent++) {
      params.type = batch[sent]->binary ? webrtc::DataMessageType::kBinary : webrtc::DataMessageType::kText;
      const size_t size = batch[sent]->bytes.size();
      SctpDirectSender::Result r = sender.Send(sid, params, batch[sent]->bytes);
      if (r == SctpDirectSender::Result::kSent) {
        sent_bytes += size;
        continue;
      }
      // A full send buffer: wait for room. Other refusals: the channel's own Send takes it from
      // here.
      if (r == SctpDirectSender::Result::kFull) {
        *full = true;
        WaitForSendBufferRoom(sctp->internal());
      }
      break;
    }
  });
  if (sent > 0) {
    NoteDirectSid(sid);
    direct_counts_.messages += sent;
    direct_counts_.bytes += sent_bytes;
  }
  if (sent_bytes > 0) OnBufferedAmountChange(sent_bytes);
  return sent;
}

// Network thread.
void DataChannelCore::WaitForSendBufferRoom(cricket::SctpTransportInternal* transport) {
  if (waiting_for_room_) return;
  waiting_for_room_ = true;
  auto room = [weak = weak_from_this(), signaling = signaling_] {
    signaling->PostTask([weak] {
      if (auto self = weak.lock()) self->OnSendBufferRoom();
    });
  };
  WhenSctpSendBufferHasRoom(transport, this, std::move(room));
  // dcsctp tells only when its buffer falls below the low mark from above; one message bigger
  // than the gap between that mark and the limit (200 KB) can be refused below it. Look again
  // after a while in any case (one such look pending at a time).
  if (room_retry_pending_) return;
  room_retry_pending_ = true;
  signaling_->PostDelayedTask(
      [weak = weak_from_this()] {
        if (auto self = weak.lock()) {
          self->room_retry_pending_ = false;
          self->OnSendBufferRoom();
        }
      },
      webrtc::TimeDelta::Millis(kSendBufferRetryMs));
}

void DataChannelCore::NoteDirectSid(int sid) {
  if (direct_sid_ == sid) return;
  direct_sid_ = sid;
  direct_label_ = channel_->label();
  direct_counts_ = DirectCounts();
}

void DataChannelCore::UpdateDirectReceive(webrtc::DataChannelInterface::DataState state) {
  if (state != webrtc::DataChannelInterface::kOpen || !observing_) {
    StopDirectReceive();
    return;
  }
  if (direct_rx_sid_ >= 0) return;
  webrtc::DataChannelInterface* ch = channel_.get();
  // As for sending (SendDirect): an unordered in-band channel waits for its OPEN's acknowledgement,
  // which the first received message also stands for in libwebrtc's channel.
  if (!ch->ordered() && !ch->negotiated()) return;
  int sid = ch->id();
  if (sid < 0 || sid > 65535) return;
  std::shared_ptr<PeerConnectionShared> shared = connection_.lock();
  if (!shared || !shared->sctp || !signaling_->IsCurrent()) return;
  auto* sctp = static_cast<webrtc::SctpTransport*>(shared->sctp.get());
  // The socket's callbacks run on the network thread: ours is this thread (one per shard).
  if (static_cast<rtc::Thread*>(shared->network_thread) != signaling_ || sctp->internal() == nullptr) return;
  std::shared_ptr<SctpPath> path = SctpPathOf(sctp->internal());
  AddDirectReceiver(*path, static_cast<uint16_t>(sid), weak_from_this());
  direct_path_ = path;
  direct_rx_sid_ = sid;
  NoteDirectSid(sid);
}

void DataChannelCore::StopDirectReceive() {
  if (direct_rx_sid_ < 0) return;
  if (std::shared_ptr<SctpPath> path = direct_path_.lock())
    RemoveDirectReceiver(*path, static_cast<uint16_t>(direct_rx_sid_), this);
  direct_path_.reset();
  direct_rx_sid_ = -1;
}

void DataChannelCore::OnDirectMessage(std::vector<uint8_t> payload, bool binary) {
  // What libwebrtc's channel counts for getStats (messagesReceived, bytesReceived).
  direct_counts_.messages_received++;
  direct_counts_.bytes_received += payload.size();
  incoming_.push_back(QueuedMessage{rtc::CopyOnWriteBuffer(), binary, std::move(payload)});
  if (incoming_posted_) return;
  incoming_posted_ = true;
  signaling_->PostTask([self = shared_from_this()] { self->FlushIncoming(); });
}

bool DataChannelCore::ReadDirectCounts(int sid, const std::string& label, DirectCounts* out) const {
  if (direct_sid_ < 0 || direct_sid_ != sid || direct_label_ != label) return false;
  // libwebrtc reports open and closing channels only: a closed one whose stream id and label a
  // new channel took is not the one reported.
  if (!channel_ || channel_->state() == webrtc::DataChannelInterface::kClosed) return false;
  *out = direct_counts_;
  return true;
}

void DataChannelCore::OnStateChange() {
  FlushIncoming();  // the messages before it come first
  auto state = channel_->state();
  int id = channel_->id();
  UpdateDirectReceive(state);
  std::optional<ErrorValue> error;
  if (state == webrtc::DataChannelInterface::kClosed) {
    webrtc::RTCError e = channel_->error();
    if (!e.ok()) error = ErrorValue::From(e);
  }
  dispatcher_->Post([link = link_, state, id, error = std::move(error)](Napi::Env env) {
    DataChannel* dc = link->target;
    if (dc == nullptr) return;
    if (error) dc->Emit(env, {Napi::String::New(env, "error"), error->ToJs(env).Value()});
    dc->Emit(env, {Napi::String::New(env, "state"), Napi::String::New(env, ToSpec(state)),
                   Napi::Number::New(env, id)});
  });
}

void DataChannelCore::OnMessage(const webrtc::DataBuffer& buffer) {
  // Each message event is its own macrotask, as in browsers (microtasks queued by one handler run
  // before the next message), but a burst reaches the dispatcher in one post, wakes the JS thread
  // once and reaches JS in batches (Dispatcher::PostToSink). The payload is shared, not copied,
  // until JS gets it.
  incoming_.push_back(QueuedMessage{buffer.data, buffer.binary});
  if (incoming_posted_) return;
  incoming_posted_ = true;
  // libwebrtc posts each received message to this thread as a task of its own, the whole burst
  // before this one runs.
  signaling_->PostTask([self = shared_from_this()] { self->FlushIncoming(); });
}

void DataChannelCore::FlushIncoming() {
  incoming_posted_ = false;
  if (incoming_.empty()) return;
  std::vector<QueuedMessage> messages;
  messages.swap(incoming_);
  dispatcher_->PostToSink(shared_from_this(), std::move(messages));
}

namespace {

// An ArrayBuffer holding a copy of `bytes`. napi_create_arraybuffer zero-fills its memory before
// we overwrite it (3% of a receiving process in a bulk transfer, perf); Node's Buffer allocation
// does not, and its ArrayBuffer is a plain one of exactly `size` bytes. Small messages keep the
// direct call: for them the Buffer object would cost more than the fill.
bool CopyToArrayBuffer(napi_env env, const uint8_t* bytes, size_t size, napi_value* result) {
  constexpr size_t kUnfilledFrom = 4096;
  void* data = nullptr;
  if (size < kUnfilledFrom) {
    if (napi_create_arraybuffer(env, size, &data, result) != napi_ok) return false;
  } else {
    napi_value buffer;
    if (napi_create_buffer(env, size, &data, &buffer) != napi_ok) return false;
    if (napi_get_typedarray_info(env, buffer, nullptr, nullptr, nullptr, result, nullptr) != napi_ok) return false;
  }
  if (size > 0) memcpy(data, bytes, size);
  return true;
}

}  // namespace

bool DataChannelCore::Deliver(Napi::Env env, std::vector<QueuedMessage>& messages,
                              bool via_immediate, napi_value resume) {
  DataChannel* dc = link_->target;
  if (dc == nullptr) return false;
  // The values go as arguments after ('messages', via_immediate, resume): cheaper than setting
  // the elements of an array one by one through N-API.
  std::vector<napi_value> args(3 + messages.size());
  for (size_t i = 0; i < messages.size(); i++) {
    const QueuedMessage& m = messages[i];
    napi_value& value = args[3 + i];
    if (m.binary) {
      // A copy, not an external buffer: Electron's V8 sandbox forbids external memory.
      if (!CopyToArrayBuffer(env, m.bytes(), m.size(), &value)) return false;
    } else if (napi_create_string_utf8(env, reinterpret_cast<const char*>(m.bytes()), m.size(),
                                       &value) != napi_ok) {
      return false;
    }
  }
  return dc->EmitMessages(env, args, via_immediate, resume);
}

void DataChannelCore::OnBufferedAmountChange(uint64_t sent_data_size) {
  FlushIncoming();
  std::lock_guard<std::mutex> lock(mu_);
  sent_bytes_ += sent_data_size;
  if (sent_posted_) return;
  sent_posted_ = true;
  dispatcher_->Post([self = shared_from_this()](Napi::Env env) {
    uint64_t sent;
    {
      std::lock_guard<std::mutex> lock(self->mu_);
      sent = self->sent_bytes_;
      self->sent_bytes_ = 0;
      self->sent_posted_ = false;
    }
    DataChannel* dc = self->link_->target;
    if (dc == nullptr || sent == 0) return;
    dc->Emit(env, {Napi::String::New(env, "sent"), Napi::Number::New(env, static_cast<double>(sent))});
  });
}

// ---------------------------------------------------------------------------------------------

Napi::Function DataChannel::Define(Napi::Env env) {
  return DefineClass(env, "NativeDataChannel",
                     {InstanceMethod<&DataChannel::Info>("info"),
                      InstanceMethod<&DataChannel::Id>("id"),
                      InstanceMethod<&DataChannel::KnownId>("knownId"),
                      InstanceMethod<&DataChannel::SetEventHandler>("setEventHandler"),
                      InstanceMethod<&DataChannel::Send>("send"),
                      InstanceMethod<&DataChannel::Close>("close"),
                      InstanceMethod<&DataChannel::Release>("release")});
}

Napi::Object DataChannel::Create(Napi::Env env, std::shared_ptr<DataChannelCore> core) {
  auto ext = Napi::External<std::shared_ptr<DataChannelCore>>::New(env, &core);
  return Addon::Of(env)->data_channel_constructor().New({ext});
}

DataChannel::DataChannel(const Napi::CallbackInfo& info) : Napi::ObjectWrap<DataChannel>(info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(env, "Illegal constructor").ThrowAsJavaScriptException();
    return;
  }
  runtime_ = Addon::Of(env)->runtime();
  core_ = *info[0].As<Napi::External<std::shared_ptr<DataChannelCore>>>().Data();
  core_->link()->target = this;
  runtime_->Register(this, /*is_channel=*/true);
}

DataChannel::~DataChannel() { ReleaseNative(); }

// A closed channel has nothing left to do natively, but a program may hold it (or its connection)
// for long, and V8 does not see the native memory behind it (libwebrtc's channel and its queues):
// without this, thousands of closed channels waited for a major GC. Safe inside our own event
// callback: the wrapper stays, only its native side and handler go.
void DataChannel::Release(const Napi::CallbackInfo&) { ReleaseNative(); }

void DataChannel::ReleaseNative() {
  on_event_.Reset();
  if (!core_) return;
  runtime_->Unregister(this);
  core_->link()->target = nullptr;
  core_->Release();
  core_.reset();
}

void DataChannel::Emit(Napi::Env env, std::initializer_list<napi_value> args) {
  if (on_event_.IsEmpty()) return;
  on_event_.Call(args);
}

bool DataChannel::EmitMessages(Napi::Env env, std::vector<napi_value>& args, bool via_immediate,
                               napi_value resume) {
  if (on_event_.IsEmpty()) return false;
  args[0] = Napi::String::New(env, "messages");
  args[1] = Napi::Boolean::New(env, via_immediate);
  args[2] = resume;
  napi_value result = nullptr;
  if (napi_call_function(env, env.Undefined(), on_event_.Value(), args.size(), args.data(), &result) != napi_ok ||
      result == nullptr) {
    return false;
  }
  // The handler returns true once it holds `resume` (lib/message_batch.ts).
  bool took = false;
  napi_get_value_bool(env, result, &took);
  return took;
}

ChannelInfo ChannelInfo::Read(webrtc::DataChannelInterface* ch) {
  ChannelInfo v;
  v.label = ch->label();
  v.ordered = ch->ordered();
  v.life = ch->maxPacketLifeTime();
  v.rtx = ch->maxRetransmitsOpt();
  v.protocol = ch->protocol();
  v.negotiated = ch->negotiated();
  v.id = ch->id();
  v.priority = ch->priority();
  v.state = ch->state();
  return v;
}

void DataChannelCore::SetInitialInfo(ChannelInfo info) {
  std::lock_guard<std::mutex> lock(mu_);
  initial_info_ = std::move(info);
}

std::optional<ChannelInfo> DataChannelCore::TakeInitialInfo() {
  std::lock_guard<std::mutex> lock(mu_);
  std::optional<ChannelInfo> info = std::move(initial_info_);
  initial_info_.reset();
  return info;
}

Napi::Value DataChannel::Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  webrtc::DataChannelInterface* ch = core_ ? core_->channel() : nullptr;
  if (ch == nullptr) return env.Null();
  // A remote channel comes with what the signaling thread read when it announced it. Otherwise each
  // getter of the proxy would be a blocking call to the signaling thread: read them all in one (on
  // that thread the proxy calls through), which also makes them one consistent view.
  std::optional<ChannelInfo> given = core_->TakeInitialInfo();
  ChannelInfo v;
  if (given) v = std::move(*given);
  else core_->signaling()->BlockingCall([&] { v = ChannelInfo::Read(ch); });
  Napi::Object o = Napi::Object::New(env);
  o.Set("label", v.label);
  o.Set("ordered", v.ordered);
  o.Set("maxPacketLifeTime", v.life ? Napi::Value(Napi::Number::New(env, *v.life)) : env.Null());
  o.Set("maxRetransmits", v.rtx ? Napi::Value(Napi::Number::New(env, *v.rtx)) : env.Null());
  o.Set("protocol", v.protocol);
  o.Set("negotiated", v.negotiated);
  o.Set("id", v.id >= 0 ? Napi::Value(Napi::Number::New(env, v.id)) : env.Null());
  o.Set("priority", ToSpec(v.priority));
  o.Set("readyState", ToSpec(v.state));
  return o;
}

// A blocking call to the signaling thread: it waits there behind the operation in progress.
Napi::Value DataChannel::Id(const Napi::CallbackInfo& info) {
  webrtc::DataChannelInterface* ch = core_ ? core_->channel() : nullptr;
  return Napi::Number::New(info.Env(), ch != nullptr ? ch->id() : -1);
}

// The id libwebrtc gave as of the last description applied (PeerConnectionShared::RefreshChannelIds),
// without asking the signaling thread.
Napi::Value DataChannel::KnownId(const Napi::CallbackInfo& info) {
  return Napi::Number::New(info.Env(), core_ && core_->channel() != nullptr ? core_->known_id() : -1);
}

void DataChannel::SetEventHandler(const Napi::CallbackInfo& info) {
  if (info[0].IsFunction()) on_event_ = Napi::Persistent(info[0].As<Napi::Function>());
  else on_event_.Reset();
}

// send(data): string | ArrayBuffer | ArrayBufferView. Sizes and state were checked in JS.
void DataChannel::Send(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!core_) return;
  Napi::Value v = info[0];
  if (v.IsString()) {
    // UTF-8 straight into the message's vector (N-API writes a terminating NUL, dropped after).
    OutgoingMessage m;
    size_t length = 0;
    if (napi_get_value_string_utf8(env, v, nullptr, 0, &length) != napi_ok) return;
    m.bytes.resize(length + 1);
    size_t copied = 0;
    if (napi_get_value_string_utf8(env, v, reinterpret_cast<char*>(m.bytes.data()), length + 1, &copied) != napi_ok) return;
    m.bytes.resize(copied);
    core_->Send(std::move(m));
    return;
  }
  const uint8_t* data = nullptr;
  size_t size = 0;
  if (v.IsArrayBuffer()) {
    auto ab = v.As<Napi::ArrayBuffer>();
    data = static_cast<const uint8_t*>(ab.Data());
    size = ab.ByteLength();
  } else if (v.IsTypedArray()) {
    auto ta = v.As<Napi::TypedArray>();
    data = static_cast<const uint8_t*>(ta.ArrayBuffer().Data()) + ta.ByteOffset();
    size = ta.ByteLength();
  } else if (v.IsDataView()) {
    auto dv = v.As<Napi::DataView>();
    data = static_cast<const uint8_t*>(dv.ArrayBuffer().Data()) + dv.ByteOffset();
    size = dv.ByteLength();
  } else {
    Napi::TypeError::New(env, "send() takes a string, ArrayBuffer or ArrayBufferView")
        .ThrowAsJavaScriptException();
    return;
  }
  core_->Send(OutgoingMessage{std::vector<uint8_t>(data, data + size), /*binary=*/true});
}

void DataChannel::Close(const Napi::CallbackInfo&) {
  if (core_) core_->Close();
}

}  // namespace nlw
