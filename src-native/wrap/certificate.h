// RTCCertificate: libwebrtc's certificate + private key (rtc::RTCCertificate) behind a JS object.
// Generated off the JS thread (RSA keys take a while), imported/exported as PEM (non-standard).
#pragma once

#include <napi.h>

#include <atomic>
#include <memory>

#include "api/scoped_refptr.h"
#include "rtc_base/rtc_certificate.h"

namespace rtc {
class Thread;
}

namespace nlw {

// The thread certificates are generated on: started on first use, stopped (after the generation
// in progress, queued ones dropped) by Stop(). One per environment (Addon).
class CertificateThread {
 public:
  CertificateThread();
  ~CertificateThread();
  rtc::Thread* Get();  // JS thread; nullptr once stopped
  void Stop();         // JS thread; idempotent

 private:
  std::unique_ptr<rtc::Thread> thread_;
  bool stopped_ = false;
};

class Certificate : public Napi::ObjectWrap<Certificate> {
 public:
  static Napi::Function Define(Napi::Env env);
  explicit Certificate(const Napi::CallbackInfo& info);
  ~Certificate() override;

  // The certificate of a native Certificate object; null for anything else.
  static rtc::scoped_refptr<rtc::RTCCertificate> From(Napi::Value value);

  // generate({ type: 'ecdsa' } | { type: 'rsa', modulusLength, publicExponent }, expiresMs?)
  //   -> Promise<Certificate>; the parameters were validated by lib/RTCCertificate.ts.
  static Napi::Value Generate(const Napi::CallbackInfo& info);
  // fromPEM(privateKey, certificate) -> Certificate; throws OperationError when unreadable.
  static Napi::Value FromPem(const Napi::CallbackInfo& info);

 private:
  static Napi::Object NewInstance(Napi::Env env, rtc::scoped_refptr<rtc::RTCCertificate> cert);
  Napi::Value Expires(const Napi::CallbackInfo& info);
  Napi::Value Fingerprints(const Napi::CallbackInfo& info);
  Napi::Value ToPem(const Napi::CallbackInfo& info);

  rtc::scoped_refptr<rtc::RTCCertificate> cert_;
  std::shared_ptr<std::atomic<int>> live_;  // the environment's count (liveObjects)
};

}  // namespace nlw
