#include "convert/configuration.h"

#include "wrap/certificate.h"

namespace nlw {

namespace {

using Config = webrtc::PeerConnectionInterface::RTCConfiguration;
using PC = webrtc::PeerConnectionInterface;

std::string Str(Napi::Object o, const char* key) {
  Napi::Value v = o.Get(key);
  return v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
}

std::vector<std::string> StrList(Napi::Object o, const char* key) {
  std::vector<std::string> out;
  Napi::Value v = o.Get(key);
  if (!v.IsArray()) return out;
  Napi::Array a = v.As<Napi::Array>();
  for (uint32_t i = 0; i < a.Length(); i++) {
    Napi::Value item = a.Get(i);
    if (item.IsString()) out.push_back(item.As<Napi::String>().Utf8Value());
  }
  return out;
}

}  // namespace

void ConfigurationFromJs(Napi::Object js, Config* out, NetworkPolicy* policy) {
  out->sdp_semantics = webrtc::SdpSemantics::kUnifiedPlan;
  // libwebrtc reports a connection's usage pattern (UMA metrics, which this build does not
  // collect) 60 s after creating it, from a timer on the signaling thread that outlives the
  // connection: at once instead, so closed connections leave nothing queued there.
  out->report_usage_pattern_delay_ms = 0;

  Napi::Value servers = js.Get("iceServers");
  if (servers.IsArray()) {
    Napi::Array arr = servers.As<Napi::Array>();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      Napi::Object s = arr.Get(i).As<Napi::Object>();
      PC::IceServer server;
      server.urls = StrList(s, "urls");
      server.username = Str(s, "username");
      server.password = Str(s, "credential");
      out->servers.push_back(std::move(server));
    }
  }

  std::string policy_str = Str(js, "iceTransportPolicy");
  out->type = policy_str == "relay" ? PC::kRelay : PC::kAll;

  std::string bundle = Str(js, "bundlePolicy");
  if (bundle == "max-compat") out->bundle_policy = PC::kBundlePolicyMaxCompat;
  else if (bundle == "max-bundle") out->bundle_policy = PC::kBundlePolicyMaxBundle;
  else out->bundle_policy = PC::kBundlePolicyBalanced;

  out->rtcp_mux_policy =
      Str(js, "rtcpMuxPolicy") == "negotiate" ? PC::kRtcpMuxPolicyNegotiate : PC::kRtcpMuxPolicyRequire;

  Napi::Value pool = js.Get("iceCandidatePoolSize");
  if (pool.IsNumber()) out->ice_candidate_pool_size = pool.As<Napi::Number>().Int32Value();

  // RTCCertificate objects (lib/configuration.ts checked them: at most one, not expired). Absent or
  // empty keeps what `out` has (setConfiguration starts from libwebrtc's own configuration).
  Napi::Value certs = js.Get("certificates");
  if (certs.IsArray() && certs.As<Napi::Array>().Length() > 0) {
    Napi::Array arr = certs.As<Napi::Array>();
    out->certificates.clear();
    for (uint32_t i = 0; i < arr.Length(); i++) {
      if (auto cert = Certificate::From(arr.Get(i))) out->certificates.push_back(std::move(cert));
    }
  }

  // Non-standard: which interfaces ICE may use (README, "Network interfaces").
  Napi::Value net = js.Get("network");
  if (net.IsObject() && policy != nullptr) {
    Napi::Object n = net.As<Napi::Object>();
    std::string loopback = Str(n, "loopback");
    if (loopback == "include") policy->loopback = NetworkPolicy::Loopback::kInclude;
    else if (loopback == "exclude") policy->loopback = NetworkPolicy::Loopback::kExclude;
    else policy->loopback = NetworkPolicy::Loopback::kAuto;
    policy->include = StrList(n, "interfaces");
    policy->exclude = StrList(n, "excludeInterfaces");
    Napi::Value min = n.Get("minPort"), max = n.Get("maxPort");
    if (min.IsNumber()) policy->min_port = min.As<Napi::Number>().Int32Value();
    if (max.IsNumber()) policy->max_port = max.As<Napi::Number>().Int32Value();
  }
}

}  // namespace nlw
