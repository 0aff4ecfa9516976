#include "convert/errors.h"

namespace nlw {

ErrorValue ErrorValue::From(const webrtc::RTCError& error) {
  ErrorValue v;
  v.type = webrtc::ToString(error.type());
  if (error.error_detail() != webrtc::RTCErrorDetailType::NONE)
    v.detail = webrtc::ToString(error.error_detail());
  v.message = error.message();
  if (error.sctp_cause_code()) v.sctp_cause = *error.sctp_cause_code();
  return v;
}

ErrorValue ErrorValue::Named(std::string type, std::string message) {
  ErrorValue v;
  v.type = std::move(type);
  v.message = std::move(message);
  return v;
}

Napi::Error ErrorValue::ToJs(Napi::Env env) const {
  Napi::Error e = Napi::Error::New(env, message);
  e.Set("nativeType", type);
  if (!detail.empty()) e.Set("errorDetail", detail);
  if (sctp_cause >= 0) e.Set("sctpCauseCode", Napi::Number::New(env, sctp_cause));
  return e;
}

void ThrowError(Napi::Env env, const ErrorValue& error) { error.ToJs(env).ThrowAsJavaScriptException(); }

}  // namespace nlw
