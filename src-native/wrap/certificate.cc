#include "wrap/certificate.h"

#include <optional>

#include "absl/strings/ascii.h"
#include "addon.h"
#include "convert/errors.h"
#include "rtc_base/rtc_certificate_generator.h"
#include "rtc_base/ssl_fingerprint.h"
#include "rtc_base/ssl_identity.h"
#include "rtc_base/thread.h"

namespace nlw {

CertificateThread::CertificateThread() = default;

CertificateThread::~CertificateThread() { Stop(); }

rtc::Thread* CertificateThread::Get() {
  if (stopped_) return nullptr;
  if (!thread_) {
    thread_ = rtc::Thread::Create();
    thread_->SetName("nlw-certificates", nullptr);
    if (!thread_->Start()) {
      thread_.reset();
      return nullptr;
    }
  }
  return thread_.get();
}

void CertificateThread::Stop() {
  stopped_ = true;
  if (thread_) {
    thread_->Stop();
    thread_.reset();
  }
}

Napi::Function Certificate::Define(Napi::Env env) {
  return DefineClass(env, "NativeCertificate",
                     {InstanceMethod<&Certificate::Expires>("expires"),
                      InstanceMethod<&Certificate::Fingerprints>("fingerprints"),
                      InstanceMethod<&Certificate::ToPem>("toPEM"),
                      StaticMethod<&Certificate::Generate>("generate"),
                      StaticMethod<&Certificate::FromPem>("fromPEM")});
}

Certificate::Certificate(const Napi::CallbackInfo& info) : Napi::ObjectWrap<Certificate>(info) {
  if (info.Length() < 1 || !info[0].IsExternal()) {
    Napi::TypeError::New(info.Env(), "Illegal constructor").ThrowAsJavaScriptException();
    return;
  }
  cert_ = *info[0].As<Napi::External<rtc::scoped_refptr<rtc::RTCCertificate>>>().Data();
  if (!cert_) {
    Napi::TypeError::New(info.Env(), "Illegal constructor").ThrowAsJavaScriptException();
    return;
  }
  live_ = Addon::Of(info.Env())->live_certificates();
  ++*live_;
}

// Runs from the GC (or at environment teardown): touches only the shared counter.
Certificate::~Certificate() {
  if (live_) --*live_;
}

Napi::Object Certificate::NewInstance(Napi::Env env, rtc::scoped_refptr<rtc::RTCCertificate> cert) {
  auto ext = Napi::External<rtc::scoped_refptr<rtc::RTCCertificate>>::New(env, &cert);
  return Addon::Of(env)->certificate_constructor().New({ext});
}

rtc::scoped_refptr<rtc::RTCCertificate> Certificate::From(Napi::Value value) {
  if (!value.IsObject()) return nullptr;
  Napi::FunctionReference& ctor = Addon::Of(value.Env())->certificate_constructor();
  if (ctor.IsEmpty() || !value.As<Napi::Object>().InstanceOf(ctor.Value())) return nullptr;
  Certificate* c = Napi::ObjectWrap<Certificate>::Unwrap(value.As<Napi::Object>());
  return c == nullptr ? nullptr : c->cert_;
}

Napi::Value Certificate::Generate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto deferred = Napi::Promise::Deferred::New(env);
  Napi::Promise promise = deferred.Promise();
  if (info.Length() < 1 || !info[0].IsObject()) {
    deferred.Reject(Napi::TypeError::New(env, "generate: parameters expected").Value());
    return promise;
  }
  Napi::Object params = info[0].As<Napi::Object>();
  Napi::Value type = params.Get("type");
  rtc::KeyParams key;
  if (type.IsString() && type.As<Napi::String>().Utf8Value() == "rsa") {
    Napi::Value bits = params.Get("modulusLength"), exponent = params.Get("publicExponent");
    key = rtc::KeyParams::RSA(bits.IsNumber() ? bits.As<Napi::Number>().Int32Value() : 0,
                              exponent.IsNumber() ? exponent.As<Napi::Number>().Int32Value() : 0);
  } else {
    key = rtc::KeyParams::ECDSA(rtc::EC_NIST_P256);
  }
  if (!key.IsValid()) {
    deferred.Reject(ErrorValue::Named("NotSupportedError", "unsupported key parameters").ToJs(env).Value());
    return promise;
  }
  absl::optional<uint64_t> expires_ms;
  if (info.Length() > 1 && info[1].IsNumber()) {
    double ms = info[1].As<Napi::Number>().DoubleValue();
    expires_ms = ms <= 0 ? 0 : static_cast<uint64_t>(ms);
  }
  Addon* addon = Addon::Of(env);
  rtc::Thread* thread = addon->certificate_thread().Get();
  if (thread == nullptr) {
    deferred.Reject(ErrorValue::Named("OperationError", "the certificate thread is not running").ToJs(env).Value());
    return promise;
  }
  std::shared_ptr<Dispatcher> dispatcher = addon->runtime()->dispatcher();
  dispatcher->KeepAlive(env, +1);
  // The key is made on the certificate thread; only the dispatcher's task touches JS.
  thread->PostTask([key, expires_ms, dispatcher, deferred]() mutable {
    rtc::scoped_refptr<rtc::RTCCertificate> cert = rtc::RTCCertificateGenerator::GenerateCertificate(key, expires_ms);
    dispatcher->Post([cert = std::move(cert), deferred, dispatcher](Napi::Env env) mutable {
      dispatcher->KeepAlive(env, -1);
      Napi::HandleScope scope(env);
      if (!cert) {
        deferred.Reject(ErrorValue::Named("OperationError", "certificate generation failed").ToJs(env).Value());
        return;
      }
      deferred.Resolve(NewInstance(env, std::move(cert)));
    });
  });
  return promise;
}

Napi::Value Certificate::FromPem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsString()) {
    Napi::TypeError::New(env, "fromPEM(privateKey, certificate): two strings expected").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  rtc::RTCCertificatePEM pem(info[0].As<Napi::String>().Utf8Value(), info[1].As<Napi::String>().Utf8Value());
  rtc::scoped_refptr<rtc::RTCCertificate> cert = rtc::RTCCertificate::FromPEM(pem);
  if (!cert) {
    ThrowError(env, ErrorValue::Named("OperationError", "libwebrtc could not read the PEM private key and certificate"));
    return env.Undefined();
  }
  return NewInstance(env, std::move(cert));
}

Napi::Value Certificate::Expires(const Napi::CallbackInfo& info) {
  if (!cert_) return info.Env().Undefined();
  return Napi::Number::New(info.Env(), static_cast<double>(cert_->Expires()));
}

// [{ algorithm: 'sha-256', value: 'AB:CD:…' }]: the one libwebrtc puts in a=fingerprint.
Napi::Value Certificate::Fingerprints(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array out = Napi::Array::New(env);
  if (!cert_) return out;
  std::unique_ptr<rtc::SSLFingerprint> fp = rtc::SSLFingerprint::CreateFromCertificate(*cert_);
  if (fp) {
    Napi::Object o = Napi::Object::New(env);
    o.Set("algorithm", absl::AsciiStrToLower(fp->algorithm));
    o.Set("value", fp->GetRfc4572Fingerprint());
    out.Set(0u, o);
  }
  return out;
}

Napi::Value Certificate::ToPem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!cert_) return env.Undefined();
  rtc::RTCCertificatePEM pem = cert_->ToPEM();
  Napi::Object o = Napi::Object::New(env);
  o.Set("privateKey", pem.private_key());
  o.Set("certificate", pem.certificate());
  return o;
}

}  // namespace nlw
