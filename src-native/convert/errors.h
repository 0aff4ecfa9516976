// libwebrtc errors -> JS values. The names are libwebrtc's (INVALID_STATE, SDP_SYNTAX_ERROR...);
// lib/errors.ts maps them to the spec's DOMException names, in one place.
#pragma once

#include <napi.h>

#include <string>

#include "api/rtc_error.h"

namespace nlw {

// A copyable, thread-neutral form of webrtc::RTCError: built on any thread, turned into a JS
// Error only on the JS thread.
struct ErrorValue {
  std::string type;    // webrtc::RTCErrorType name, or a DOMException name for our own errors
  std::string detail;  // webrtc::RTCErrorDetailType name, "" when NONE
  std::string message;
  int sctp_cause = -1;

  static ErrorValue From(const webrtc::RTCError& error);
  static ErrorValue Named(std::string type, std::string message);
  Napi::Error ToJs(Napi::Env env) const;
};

// Throws `error` in `env` as a pending JS exception.
void ThrowError(Napi::Env env, const ErrorValue& error);

}  // namespace nlw
