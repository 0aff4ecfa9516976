// The bytes behind a JS ArrayBuffer, TypedArray or DataView argument (an empty span for anything
// else). The JS side checks types first; this is what the native calls read and write.
#pragma once

#include <napi.h>

#include <cstddef>
#include <cstdint>

namespace nlw {

struct Bytes {
  uint8_t* data = nullptr;
  size_t size = 0;
};

inline Bytes BytesOf(const Napi::Value& v) {
  Bytes b;
  if (v.IsArrayBuffer()) {
    Napi::ArrayBuffer a = v.As<Napi::ArrayBuffer>();
    b.data = static_cast<uint8_t*>(a.Data());
    b.size = a.ByteLength();
  } else if (v.IsTypedArray()) {
    Napi::TypedArray t = v.As<Napi::TypedArray>();
    b.data = static_cast<uint8_t*>(t.ArrayBuffer().Data()) + t.ByteOffset();
    b.size = t.ByteLength();
  } else if (v.IsDataView()) {
    Napi::DataView d = v.As<Napi::DataView>();
    b.data = static_cast<uint8_t*>(d.ArrayBuffer().Data()) + d.ByteOffset();
    b.size = d.ByteLength();
  }
  return b;
}

}  // namespace nlw
