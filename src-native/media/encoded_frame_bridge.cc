#include "media/encoded_frame_bridge.h"

#include "media/transformer_slots.h"

#include <utility>

namespace nlw {

void EncodedFrameBridge::Attach(std::shared_ptr<EncodedFrameReceiver> receiver) {
  // Delivery under the lock keeps the order: the frames that waited, then the new ones.
  std::lock_guard<std::mutex> lock(mu_);
  if (pass_through_) {
    receiver->OnBridgeClosed();
    return;
  }
  receiver_ = std::move(receiver);
  for (auto& f : waiting_) receiver_->OnEncodedFrame(std::move(f));
  waiting_.clear();
}

void EncodedFrameBridge::Detach(const EncodedFrameReceiver* receiver) {
  std::lock_guard<std::mutex> lock(mu_);
  if (receiver_.get() == receiver) receiver_ = nullptr;
}

void EncodedFrameBridge::SetPassThrough(bool on) {
  std::deque<std::unique_ptr<webrtc::TransformableFrameInterface>> waiting;
  std::shared_ptr<EncodedFrameReceiver> detached;
  {
    std::lock_guard<std::mutex> lock(mu_);
    pass_through_ = on;
    if (on) {
      detached = std::move(receiver_);
      receiver_ = nullptr;
      waiting.swap(waiting_);
    }
  }
  for (auto& f : waiting) Return(std::move(f));
  // Its streams (in a Worker, often) hold it and, through it, this bridge: they may go now.
  if (detached) detached->OnBridgeClosed();
}

void EncodedFrameBridge::Transform(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  std::unique_lock<std::mutex> lock(mu_);
  if (video_ && sender_) {
    // Called inside the encoder's delivery of this picture (media/key_frame_trigger.h).
    EmittingEncoder::Current emitting = EmittingEncoder::Get();
    if (emitting.trigger != nullptr) {
      const std::shared_ptr<KeyFrameTrigger>& trigger = *emitting.trigger;
      if (trigger_.owner_before(trigger) || trigger.owner_before(trigger_) || trigger_.expired()) {
        trigger_ = trigger;
        for (int layer : early_requests_) trigger->Request(layer);
        early_requests_.clear();
      }
      layers_[frame->GetSsrc()] = emitting.layer;
    }
  }
  if (pass_through_) {
    lock.unlock();
    Return(std::move(frame));
    return;
  }
  if (receiver_) {
    receiver_->OnEncodedFrame(std::move(frame));  // only queues it for the JS thread
    return;
  }
  waiting_.push_back(std::move(frame));
  if (waiting_.size() > kMaxWaiting) waiting_.pop_front();
}

void EncodedFrameBridge::Return(std::unique_ptr<webrtc::TransformableFrameInterface> frame) {
  rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = sinks_.find(frame->GetSsrc());
    callback = it != sinks_.end() ? it->second : callback_;
    // A video sender registers per SSRC; with simulcast each layer has its own.
    if (!callback && sinks_.size() == 1) callback = sinks_.begin()->second;
  }
  // libwebrtc's delegates post the frame on to their own thread, so any thread may call.
  if (callback) callback->OnTransformedFrame(std::move(frame));
}

void EncodedFrameBridge::SetKeyFrameSource(rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source) {
  std::lock_guard<std::mutex> lock(mu_);
  key_frame_source_ = std::move(source);
}

bool EncodedFrameBridge::RequestKeyFrame() {
  rtc::scoped_refptr<webrtc::VideoTrackSourceInterface> source;
  std::shared_ptr<TransceiverLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pass_through_) return false;  // the transform was unset
    source = key_frame_source_;
    link = transceiver_;
  }
  if (!source) return false;
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> t;
  if (link) {
    std::lock_guard<std::mutex> lock(link->mu);
    t = link->transceiver;
  }
  if (!t || t->stopping()) return false;  // a stopped receiver has no sender to ask
  source->GenerateKeyFrame();
  return true;
}

void EncodedFrameBridge::SetTransceiver(std::shared_ptr<TransceiverLink> link) {
  std::lock_guard<std::mutex> lock(mu_);
  transceiver_ = std::move(link);
}

void EncodedFrameBridge::SetSlotKey(const void* key) {
  const void* previous;
  {
    std::lock_guard<std::mutex> lock(mu_);
    previous = slot_key_;
    slot_key_ = key;
  }
  if (previous != nullptr) TransformerSlots::ReleaseApplication(previous);
}

EncodedFrameBridge::~EncodedFrameBridge() {
  if (slot_key_ != nullptr) TransformerSlots::ReleaseApplication(slot_key_);
}

int EncodedFrameBridge::LayerOf(uint32_t ssrc) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = layers_.find(ssrc);
  return it == layers_.end() ? -1 : it->second;
}

EncodedFrameBridge::KeyFrameResult EncodedFrameBridge::GenerateKeyFrame(const std::string* rid, int* layer_out) {
  std::shared_ptr<TransceiverLink> link;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (pass_through_ || !video_ || !sender_) return KeyFrameResult::kNotSending;
    link = transceiver_;
  }
  rtc::scoped_refptr<webrtc::RtpTransceiverInterface> t;
  if (link) {
    std::lock_guard<std::mutex> lock(link->mu);
    t = link->transceiver;
  }
  if (!t || t->stopping()) return KeyFrameResult::kNotSending;
  absl::optional<webrtc::RtpTransceiverDirection> direction = t->current_direction();
  if (!direction || (*direction != webrtc::RtpTransceiverDirection::kSendRecv &&
                     *direction != webrtc::RtpTransceiverDirection::kSendOnly)) {
    return KeyFrameResult::kNotSending;
  }
  rtc::scoped_refptr<webrtc::RtpSenderInterface> sender = t->sender();
  if (!sender || !sender->track()) return KeyFrameResult::kNotSending;
  const webrtc::RtpParameters parameters = sender->GetParameters();
  int layer = KeyFrameTrigger::kAllLayers;
  bool active = false;
  if (rid != nullptr) {
    for (size_t i = 0; i < parameters.encodings.size(); i++) {
      if (parameters.encodings[i].rid != *rid) continue;
      layer = static_cast<int>(i);
      active = parameters.encodings[i].active;
      break;
    }
    if (layer == KeyFrameTrigger::kAllLayers) return KeyFrameResult::kUnknownRid;
  } else {
    for (const webrtc::RtpEncodingParameters& e : parameters.encodings) active = active || e.active;
  }
  if (!active) return KeyFrameResult::kNotSending;
  *layer_out = layer;
  std::lock_guard<std::mutex> lock(mu_);
  if (std::shared_ptr<KeyFrameTrigger> trigger = trigger_.lock()) {
    // An encoding libwebrtc does not encode (too many layers for the picture's size).
    if (layer >= 0 && trigger->layers() > 0 && layer >= trigger->layers()) return KeyFrameResult::kUnknownRid;
    trigger->Request(layer);
  } else if (early_requests_.size() < KeyFrameTrigger::kMaxLayers) {
    early_requests_.push_back(layer);  // no picture went through yet: the first encoder takes it
  }
  return KeyFrameResult::kRequested;
}

void EncodedFrameBridge::RegisterTransformedFrameCallback(rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback) {
  std::lock_guard<std::mutex> lock(mu_);
  callback_ = std::move(callback);
}

void EncodedFrameBridge::RegisterTransformedFrameSinkCallback(
    rtc::scoped_refptr<webrtc::TransformedFrameCallback> callback, uint32_t ssrc) {
  std::lock_guard<std::mutex> lock(mu_);
  sinks_[ssrc] = std::move(callback);
}

void EncodedFrameBridge::UnregisterTransformedFrameCallback() {
  std::lock_guard<std::mutex> lock(mu_);
  callback_ = nullptr;
}

void EncodedFrameBridge::UnregisterTransformedFrameSinkCallback(uint32_t ssrc) {
  std::lock_guard<std::mutex> lock(mu_);
  sinks_.erase(ssrc);
}

// --- registry ---------------------------------------------------------------------------------

namespace {
constexpr size_t kMaxOffersPerThread = 64;

struct RegistryState {
  std::mutex mu;
  uint64_t next_id = 1;
  std::map<uint64_t, rtc::scoped_refptr<EncodedFrameBridge>> bridges;
  std::map<int, std::weak_ptr<EncodedTransformRegistry::Listener>> listeners;
  std::map<int, std::deque<EncodedTransformRegistry::Offer>> offers;
};

// Never destroyed: Workers may still call in while the process exits.
RegistryState& State() {
  static RegistryState* state = new RegistryState();
  return *state;
}
}  // namespace

uint64_t EncodedTransformRegistry::Add(rtc::scoped_refptr<EncodedFrameBridge> bridge) {
  RegistryState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  uint64_t id = s.next_id++;
  s.bridges[id] = std::move(bridge);
  return id;
}

rtc::scoped_refptr<EncodedFrameBridge> EncodedTransformRegistry::Find(uint64_t id) {
  RegistryState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.bridges.find(id);
  return it == s.bridges.end() ? nullptr : it->second;
}

void EncodedTransformRegistry::Remove(uint64_t id) {
  rtc::scoped_refptr<EncodedFrameBridge> gone;  // released outside the lock
  RegistryState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.bridges.find(id);
  if (it == s.bridges.end()) return;
  gone = std::move(it->second);
  s.bridges.erase(it);
}

void EncodedTransformRegistry::OfferTo(int thread_id, Offer offer) {
  std::shared_ptr<Listener> listener;
  {
    RegistryState& s = State();
    std::lock_guard<std::mutex> lock(s.mu);
    auto it = s.listeners.find(thread_id);
    if (it != s.listeners.end()) listener = it->second.lock();
    if (!listener) {
      auto& queue = s.offers[thread_id];
      queue.push_back(std::move(offer));
      if (queue.size() > kMaxOffersPerThread) queue.pop_front();
      return;
    }
  }
  listener->OnOffer(std::move(offer));
}

void EncodedTransformRegistry::Listen(int thread_id, std::weak_ptr<Listener> listener) {
  std::deque<Offer> waiting;
  std::shared_ptr<Listener> strong = listener.lock();
  if (!strong) return;
  {
    RegistryState& s = State();
    std::lock_guard<std::mutex> lock(s.mu);
    s.listeners[thread_id] = std::move(listener);
    auto it = s.offers.find(thread_id);
    if (it != s.offers.end()) {
      waiting.swap(it->second);
      s.offers.erase(it);
    }
  }
  for (auto& o : waiting) strong->OnOffer(std::move(o));
}

void EncodedTransformRegistry::Unlisten(int thread_id, const Listener* listener) {
  RegistryState& s = State();
  std::lock_guard<std::mutex> lock(s.mu);
  auto it = s.listeners.find(thread_id);
  if (it == s.listeners.end()) return;
  auto current = it->second.lock();
  if (!current || current.get() == listener) s.listeners.erase(it);
}

}  // namespace nlw
