#include "wrap/frame_convert.h"

#include <cmath>
#include <cstring>
#include <string>
#include <vector>

#include "convert/bytes.h"
#include "libyuv/convert_argb.h"
#include "libyuv/convert_from_argb.h"

namespace nlw {

namespace {

double Num(const Napi::Value& v) { return v.IsNumber() ? v.As<Napi::Number>().DoubleValue() : -1; }

// Whether rows x row_bytes with `stride` from `offset` fit in `size` bytes.
bool Fits(double offset, double stride, double rows, double row_bytes, size_t size) {
  if (offset < 0 || stride < row_bytes || rows <= 0) return false;
  return offset + stride * (rows - 1) + row_bytes <= static_cast<double>(size);
}

}  // namespace

Napi::Value ConvertFrame(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto fail = [&]() {
    Napi::TypeError::New(env, "convertFrame: the planes do not fit their buffers").ThrowAsJavaScriptException();
    return env.Undefined();
  };
  if (info.Length() < 10 || !info[1].IsString() || !info[2].IsArray() || !info[3].IsArray() || !info[9].IsString()) {
    return fail();
  }
  const Bytes src = BytesOf(info[0]);
  const std::string from = info[1].As<Napi::String>().Utf8Value();
  const std::string to = info[9].As<Napi::String>().Utf8Value();
  Napi::Array offsets = info[2].As<Napi::Array>(), strides = info[3].As<Napi::Array>();
  const double w = Num(info[4]), h = Num(info[5]);
  const Bytes dst = BytesOf(info[6]);
  const double dst_offset = Num(info[7]), dst_stride = Num(info[8]);
  if (src.data == nullptr || dst.data == nullptr || w < 1 || h < 1 || w > 16384 || h > 16384) return fail();
  if (!Fits(dst_offset, dst_stride, h, 4 * w, dst.size)) return fail();

  // Each source plane: bytes per row and rows, by format.
  struct Plane { double bytes_per_px; int sub; };
  std::vector<Plane> planes;
  if (from == "I420") planes = {{1, 1}, {1, 2}, {1, 2}};
  else if (from == "I420A") planes = {{1, 1}, {1, 2}, {1, 2}, {1, 1}};
  else if (from == "NV12") planes = {{1, 1}, {2, 2}};
  else if (from == "RGBA" || from == "RGBX" || from == "BGRA" || from == "BGRX") planes = {{4, 1}};
  else return fail();
  if (offsets.Length() < planes.size() || strides.Length() < planes.size()) return fail();
  const uint8_t* p[4] = {};
  int s[4] = {};
  for (uint32_t i = 0; i < planes.size(); i++) {
    const double off = Num(offsets.Get(i)), stride = Num(strides.Get(i));
    const double cols = planes[i].sub == 2 ? (planes[i].bytes_per_px == 2 ? 2 * std::ceil(w / 2) : std::ceil(w / 2))
                                           : planes[i].bytes_per_px * w;
    const double rows = planes[i].sub == 2 ? std::ceil(h / 2) : h;
    if (!Fits(off, stride, rows, cols, src.size) || stride > 1 << 20) return fail();
    p[i] = src.data + static_cast<size_t>(off);
    s[i] = static_cast<int>(stride);
  }
  const int iw = static_cast<int>(w), ih = static_cast<int>(h), ds = static_cast<int>(dst_stride);
  uint8_t* d = dst.data + static_cast<size_t>(dst_offset);
  // libyuv names formats by 32-bit word order: RGBA bytes are its "ABGR", BGRA bytes its "ARGB".
  const bool rgba_out = to == "RGBA" || to == "RGBX";
  const bool bgra_out = to == "BGRA" || to == "BGRX";
  if (!rgba_out && !bgra_out) return fail();
  const bool keep_alpha = to == "RGBA" || to == "BGRA";
  int r = -1;
  if (from == "I420" || (from == "I420A" && !keep_alpha)) {
    r = rgba_out ? libyuv::I420ToABGR(p[0], s[0], p[1], s[1], p[2], s[2], d, ds, iw, ih)
                 : libyuv::I420ToARGB(p[0], s[0], p[1], s[1], p[2], s[2], d, ds, iw, ih);
  } else if (from == "I420A") {
    r = rgba_out ? libyuv::I420AlphaToABGR(p[0], s[0], p[1], s[1], p[2], s[2], p[3], s[3], d, ds, iw, ih, 0)
                 : libyuv::I420AlphaToARGB(p[0], s[0], p[1], s[1], p[2], s[2], p[3], s[3], d, ds, iw, ih, 0);
  } else if (from == "NV12") {
    r = rgba_out ? libyuv::NV12ToABGR(p[0], s[0], p[1], s[1], d, ds, iw, ih)
                 : libyuv::NV12ToARGB(p[0], s[0], p[1], s[1], d, ds, iw, ih);
  } else {
    const bool rgba_in = from == "RGBA" || from == "RGBX";
    r = rgba_in == rgba_out ? libyuv::ARGBCopy(p[0], s[0], d, ds, iw, ih)
                            : libyuv::ARGBToABGR(p[0], s[0], d, ds, iw, ih);  // swaps bytes 0 and 2
    if (r == 0 && keep_alpha && (from == "RGBX" || from == "BGRX")) {
      for (int y = 0; y < ih; y++) {
        uint8_t* row = d + static_cast<size_t>(y) * ds;
        for (int x = 0; x < iw; x++) row[4 * x + 3] = 255;
      }
    }
  }
  if (r != 0) return fail();
  return env.Undefined();
}

}  // namespace nlw
