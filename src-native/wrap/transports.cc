#include "wrap/transports.h"

#include "api/jsep_ice_candidate.h"
#include "convert/enums.h"
#include "p2p/base/ice_transport_internal.h"
#include "pc/peer_connection_internal.h"
#include "rtc_base/ssl_certificate.h"
#include "rtc_base/thread.h"

namespace nlw {

class TransportWatcher::SctpObserver : public webrtc::SctpTransportObserverInterface {
 public:
  explicit SctpObserver(TransportWatcher* w) : w_(w) {}
  void OnStateChange(webrtc::SctpTransportInformation info) override { w_->PostSctp(info); }

 private:
  TransportWatcher* w_;
};

class TransportWatcher::DtlsObserver : public webrtc::DtlsTransportObserverInterface {
 public:
  explicit DtlsObserver(TransportWatcher* w) : w_(w) {}
  void OnStateChange(webrtc::DtlsTransportInformation info) override { w_->PostDtls(info); }
  void OnError(webrtc::RTCError) override {}

 private:
  TransportWatcher* w_;
};

TransportWatcher::TransportWatcher(std::shared_ptr<Dispatcher> dispatcher, rtc::Thread* network,
                                   TransportEmit deliver)
    : dispatcher_(std::move(dispatcher)), network_(network), deliver_(std::move(deliver)) {}

TransportWatcher::~TransportWatcher() = default;

void TransportWatcher::Follow(webrtc::PeerConnectionInternal* pc, rtc::Thread* signaling, std::string media_mid,
                              std::function<void(rtc::scoped_refptr<webrtc::SctpTransportInterface>)> found) {
  network_->PostTask([self = shared_from_this(), pc, signaling, media_mid = std::move(media_mid),
                      found = std::move(found)]() mutable {
    if (self->detached_) return;  // pc may be gone
    rtc::scoped_refptr<webrtc::SctpTransportInterface> sctp = pc->GetSctpTransport();
    if (sctp && !self->sctp_) {
      self->sctp_ = sctp;
      self->StartOnNetwork();
    } else if (!sctp && !self->dtls_ && !media_mid.empty()) {
      // Media only: the DTLS transport of a media section (RTCRtpSender.transport).
      if (auto dtls = pc->LookupDtlsTransportByMid(media_mid)) {
        self->dtls_ = dtls;
        self->StartDtlsOnNetwork();
      }
    }
    signaling->PostTask([sctp = std::move(sctp), found = std::move(found)]() mutable { found(std::move(sctp)); });
  });
}

void TransportWatcher::StartOnNetwork() {
  if (detached_) return;
  // SctpTransport and DtlsTransport belong to the network thread (their getters check it).
  sctp_observer_ = std::make_unique<SctpObserver>(this);
  sctp_->RegisterObserver(sctp_observer_.get());
  if (!dtls_) {  // else media found it first: under BUNDLE it is the same transport
    dtls_ = sctp_->dtls_transport();
    if (dtls_) StartDtlsOnNetwork();
  }
  PostSctp(sctp_->Information());
  PostIce();
}

void TransportWatcher::StartDtlsOnNetwork() {
  if (detached_) return;
  ice_ = dtls_->ice_transport();
  dtls_observer_ = std::make_unique<DtlsObserver>(this);
  dtls_->RegisterObserver(dtls_observer_.get());
  PostDtls(dtls_->Information());
  PostIce();
}

void TransportWatcher::RefreshIce() {
  network_->PostTask([self = shared_from_this()] {
    if (!self->detached_ && self->ice_) self->PostIce();
  });
}

void TransportWatcher::Detach() {
  network_->BlockingCall([this] {
    detached_ = true;
    if (sctp_observer_) sctp_->UnregisterObserver();
    if (dtls_observer_) dtls_->UnregisterObserver();
    sctp_observer_.reset();
    dtls_observer_.reset();
  });
}

void TransportWatcher::PostSctp(const webrtc::SctpTransportInformation& info) {
  const char* state = ToSpec(info.state());
  double max_message = info.MaxMessageSize().value_or(-1);
  int max_channels = info.MaxChannels().value_or(-1);
  dispatcher_->Post([self = shared_from_this(), state, max_message, max_channels](Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("state", state);
    o.Set("maxMessageSize", max_message >= 0 ? Napi::Value(Napi::Number::New(env, max_message)) : env.Null());
    o.Set("maxChannels", max_channels >= 0 ? Napi::Value(Napi::Number::New(env, max_channels)) : env.Null());
    self->deliver_(env, "sctp", o);
  });
}

void TransportWatcher::PostDtls(const webrtc::DtlsTransportInformation& info) {
  const char* state = ToSpec(info.state());
  std::vector<rtc::Buffer> certs;
  if (const rtc::SSLCertChain* chain = info.remote_ssl_certificates()) {
    for (size_t i = 0; i < chain->GetSize(); i++) {
      rtc::Buffer der;
      chain->Get(i).ToDER(&der);
      certs.push_back(std::move(der));
    }
  }
  dispatcher_->Post([self = shared_from_this(), state, certs = std::move(certs)](Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("state", state);
    Napi::Array arr = Napi::Array::New(env, certs.size());
    for (size_t i = 0; i < certs.size(); i++) {
      Napi::ArrayBuffer ab = Napi::ArrayBuffer::New(env, certs[i].size());
      if (certs[i].size() > 0) memcpy(ab.Data(), certs[i].data(), certs[i].size());
      arr.Set(static_cast<uint32_t>(i), ab);
    }
    o.Set("remoteCertificates", arr);
    self->deliver_(env, "dtls", o);
  });
}

namespace {

const char* IceRoleName(cricket::IceRole role) {
  switch (role) {
    case cricket::ICEROLE_CONTROLLING: return "controlling";
    case cricket::ICEROLE_CONTROLLED: return "controlled";
    default: return "unknown";
  }
}

const char* IceStateName(webrtc::IceTransportState s) {
  switch (s) {
    case webrtc::IceTransportState::kNew: return "new";
    case webrtc::IceTransportState::kChecking: return "checking";
    case webrtc::IceTransportState::kConnected: return "connected";
    case webrtc::IceTransportState::kCompleted: return "completed";
    case webrtc::IceTransportState::kFailed: return "failed";
    case webrtc::IceTransportState::kDisconnected: return "disconnected";
    case webrtc::IceTransportState::kClosed: return "closed";
  }
  return "closed";
}

const char* GatheringName(cricket::IceGatheringState s) {
  switch (s) {
    case cricket::kIceGatheringNew: return "new";
    case cricket::kIceGatheringGathering: return "gathering";
    case cricket::kIceGatheringComplete: return "complete";
  }
  return "new";
}

std::string CandidateLine(const std::string& mid, const cricket::Candidate& c) {
  std::string out;
  webrtc::JsepIceCandidate(mid, -1, c).ToString(&out);
  return out;
}

}  // namespace

void TransportWatcher::PostIce() {
  cricket::IceTransportInternal* t = ice_ ? ice_->internal() : nullptr;
  if (t == nullptr) return;
  const char* role = IceRoleName(t->GetIceRole());
  const char* state = IceStateName(t->GetIceTransportState());
  const char* gathering = GatheringName(t->gathering_state());
  int component = t->component();
  std::string mid = t->transport_name();
  std::string local, remote;
  if (auto pair = t->GetSelectedCandidatePair()) {
    local = CandidateLine(mid, pair->local_candidate());
    remote = CandidateLine(mid, pair->remote_candidate());
  }
  dispatcher_->Post([self = shared_from_this(), role, state, gathering, component, mid, local,
                     remote](Napi::Env env) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("role", role);
    o.Set("state", state);
    o.Set("gatheringState", gathering);
    o.Set("component", component == 2 ? "rtcp" : "rtp");
    o.Set("sdpMid", mid);
    if (!local.empty()) {
      Napi::Object pair = Napi::Object::New(env);
      pair.Set("local", local);
      pair.Set("remote", remote);
      o.Set("selectedCandidatePair", pair);
    } else {
      o.Set("selectedCandidatePair", env.Null());
    }
    self->deliver_(env, "ice", o);
  });
}

}  // namespace nlw
