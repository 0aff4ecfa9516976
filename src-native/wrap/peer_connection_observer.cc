#include "wrap/peer_connection_observer.h"

#include "convert/enums.h"
#include "convert/sdp.h"
#include "pc/peer_connection_internal.h"
#include "wrap/data_channel.h"
#include "wrap/peer_connection.h"
#include "wrap/rtp_transceiver.h"

namespace nlw {

void PeerConnectionShared::LocalDescriptionDone() {
  if (--local_pending > 0) return;
  std::vector<JsTask> release;
  release.swap(held);
  for (auto& task : release) dispatcher->Post(std::move(task));
}

void PeerConnectionShared::FollowSctp() {
  if (internal == nullptr) return;
  std::weak_ptr<PeerConnectionShared> weak = weak_from_this();
  std::string media_mid;
  for (const auto& t : pc->GetTransceivers()) {
    if (auto mid = t->mid(); mid && !t->stopped()) {
      media_mid = *mid;
      break;
    }
  }
  transports->Follow(internal, signaling_thread(), std::move(media_mid),
                     [weak](rtc::scoped_refptr<webrtc::SctpTransportInterface> found) {
                       std::shared_ptr<PeerConnectionShared> self = weak.lock();
                       if (self && self->pc != nullptr) self->sctp = std::move(found);
                     });
}

void PeerConnectionShared::AddChannel(const std::shared_ptr<DataChannelCore>& channel) {
  std::lock_guard<std::mutex> lock(channels_mu);
  channels.push_back(channel);
  if (all_channels.size() >= prune_all_at) {  // amortized: the list at most doubles between prunes
    std::erase_if(all_channels, [](const std::weak_ptr<DataChannelCore>& w) { return w.expired(); });
    prune_all_at = std::max<size_t>(16, all_channels.size() * 2);
  }
  all_channels.push_back(channel);
}

std::vector<std::shared_ptr<DataChannelCore>> PeerConnectionShared::AllChannels() {
  std::vector<std::shared_ptr<DataChannelCore>> out;
  std::lock_guard<std::mutex> lock(channels_mu);
  for (auto& weak : all_channels) {
    if (auto core = weak.lock()) out.push_back(std::move(core));
  }
  return out;
}

// A channel leaves the list once its id is known (an id never changes) or it is gone, so each
// description only visits the channels still waiting for one.
void PeerConnectionShared::RefreshChannelIds() {
  std::vector<std::shared_ptr<DataChannelCore>> waiting;
  {
    std::lock_guard<std::mutex> lock(channels_mu);
    for (auto& weak : channels) {
      if (auto core = weak.lock(); core && core->known_id() < 0) waiting.push_back(std::move(core));
    }
    channels.assign(waiting.begin(), waiting.end());
  }
  for (auto& core : waiting) core->RefreshId();
}

namespace {

Napi::Array IdArray(Napi::Env env, const std::vector<uint32_t>& ids) {
  Napi::Array a = Napi::Array::New(env, ids.size());
  for (size_t i = 0; i < ids.size(); i++) a.Set(i, ids[i]);
  return a;
}

}  // namespace

void PeerConnectionShared::EmitTransceivers() {
  std::vector<TransceiverState> states = TransceiverState::TakeAll(this);
  std::vector<uint32_t> added, removed;
  for (auto& t : tracks_added) {
    if (auto it = transceiver_ids.find(t.get()); it != transceiver_ids.end()) added.push_back(it->second.id);
  }
  for (auto& r : tracks_removed) {
    for (auto& s : states) {
      if (s.transceiver->receiver() == r) removed.push_back(s.id);
    }
  }
  tracks_added.clear();
  tracks_removed.clear();
  ToJs([states = std::move(states), added = std::move(added), removed = std::move(removed)](
           PeerConnection* w, Napi::Env env) {
    w->Emit(env, {Napi::String::New(env, "transceivers"), w->TransceiversToJs(env, states),
                  IdArray(env, added), IdArray(env, removed)});
  });
}

void PeerConnectionShared::EmitUnmute(uint32_t transceiver_id) {
  ToJs([transceiver_id](PeerConnection* w, Napi::Env env) {
    w->Emit(env, {Napi::String::New(env, "unmute"), Napi::Number::New(env, transceiver_id)});
  });
}

bool PeerConnectionShared::HasSctp() const { return internal != nullptr && internal->sctp_mid().has_value(); }

void PeerConnectionObserver::EmitState(const char* type, const char* state) {
  shared_->ToJs([type, state](PeerConnection* w, Napi::Env env) {
    w->Emit(env, {Napi::String::New(env, type), Napi::String::New(env, state)});
  });
}

void PeerConnectionObserver::OnSignalingChange(webrtc::PeerConnectionInterface::SignalingState state) {
  // The descriptions have already changed: JS sees them updated in the same task.
  std::optional<SignalingSnapshot> snap;
  if (shared_->pc != nullptr) {
    shared_->RefreshChannelIds();
    snap = shared_->Snapshot();
  }
  shared_->ToJs([snap = std::move(snap)](PeerConnection* w, Napi::Env env) {
    if (!snap) return;
    w->Emit(env, {Napi::String::New(env, "signalingstatechange"), snap->ToJs(env)});
  });
}

void PeerConnectionObserver::OnDataChannel(rtc::scoped_refptr<webrtc::DataChannelInterface> channel) {
  auto core = std::make_shared<DataChannelCore>(shared_->runtime, channel, shared_);
  // What JS wraps it with, read here so that JS makes no blocking call for it. webrtc-pc announces
  // a remote channel as open; libwebrtc opens it in a task it queued on this thread while creating
  // it (SctpDataChannel::Init), so it is still 'connecting' now, and the sends JS queues from the
  // 'datachannel' event reach this thread after it is open.
  ChannelInfo info = ChannelInfo::Read(channel.get());
  if (info.state == webrtc::DataChannelInterface::kConnecting) info.state = webrtc::DataChannelInterface::kOpen;
  core->SetInitialInfo(std::move(info));
  // Queue the 'datachannel' task before observing, so the channel's own events (open, messages)
  // queue after it. If the task cannot be queued (shutting down), never observe.
  bool queued = shared_->dispatcher->Post([link = shared_->link, core](Napi::Env env) {
    PeerConnection* w = link->target;
    if (w == nullptr) {
      core->Release();
      return;
    }
    Napi::Object dc = DataChannel::Create(env, core);
    w->Emit(env, {Napi::String::New(env, "datachannel"), dc});
  });
  if (queued) core->Observe();
}

void PeerConnectionObserver::OnNegotiationNeededEvent(uint32_t event_id) {
  shared_->ToJs([event_id](PeerConnection* w, Napi::Env env) {
    w->Emit(env, {Napi::String::New(env, "negotiationneeded"), Napi::Number::New(env, event_id)});
  });
}

void PeerConnectionObserver::OnStandardizedIceConnectionChange(
    webrtc::PeerConnectionInterface::IceConnectionState state) {
  EmitState("iceconnectionstatechange", ToSpec(state));
  shared_->transports->RefreshIce();
}

void PeerConnectionObserver::OnConnectionChange(
    webrtc::PeerConnectionInterface::PeerConnectionState state) {
  EmitState("connectionstatechange", ToSpec(state));
}

void PeerConnectionObserver::OnIceGatheringChange(
    webrtc::PeerConnectionInterface::IceGatheringState state) {
  std::optional<SignalingSnapshot> snap;
  if (shared_->pc != nullptr) snap = shared_->Snapshot();
  const char* name = ToSpec(state);
  shared_->ToJs(
      [name, snap = std::move(snap)](PeerConnection* w, Napi::Env env) {
        w->Emit(env, {Napi::String::New(env, "icegatheringstatechange"), Napi::String::New(env, name),
                      snap ? Napi::Value(snap->ToJs(env)) : env.Null()});
      },
      /*after_local_description=*/true);
  shared_->transports->RefreshIce();
}

void PeerConnectionObserver::OnIceCandidate(const webrtc::IceCandidateInterface* candidate) {
  CandidateValue value = CandidateValue::From(candidate);
  // localDescription includes the candidate from this event on.
  std::optional<SignalingSnapshot> snap;
  if (shared_->pc != nullptr) snap = shared_->Snapshot();
  shared_->ToJs(
      [value = std::move(value), snap = std::move(snap)](PeerConnection* w, Napi::Env env) {
        w->Emit(env, {Napi::String::New(env, "icecandidate"), value.ToJs(env),
                      snap ? Napi::Value(snap->ToJs(env)) : env.Null()});
      },
      /*after_local_description=*/true);
}

void PeerConnectionObserver::OnIceCandidateError(const std::string& address, int port,
                                                 const std::string& url, int error_code,
                                                 const std::string& error_text) {
  shared_->ToJs([address, port, url, error_code, error_text](PeerConnection* w, Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("address", address);
    o.Set("port", port);
    o.Set("url", url);
    o.Set("errorCode", error_code);
    o.Set("errorText", error_text);
    w->Emit(env, {Napi::String::New(env, "icecandidateerror"), o});
  });
}

void PeerConnectionObserver::OnIceSelectedCandidatePairChanged(const cricket::CandidatePairChangeEvent&) {
  shared_->transports->RefreshIce();
}

void PeerConnectionObserver::OnTrack(rtc::scoped_refptr<webrtc::RtpTransceiverInterface> transceiver) {
  shared_->tracks_added.push_back(std::move(transceiver));
}

void PeerConnectionObserver::OnRemoveTrack(rtc::scoped_refptr<webrtc::RtpReceiverInterface> receiver) {
  shared_->tracks_removed.push_back(std::move(receiver));
}

}  // namespace nlw
