// VideoFrame.copyTo's format conversion (lib/VideoFrame.ts): YUV or RGB planes in an ArrayBuffer
// to RGBA/RGBX/BGRA/BGRX bytes, with libyuv (BT.601 limited range for YUV, as i420ToRgba).
//   convertFrame(src: ArrayBuffer, srcFormat, offsets: number[], strides: number[], width, height,
//                dst: ArrayBufferView | ArrayBuffer, dstOffset, dstStride, dstFormat)
// JS has checked that every plane, row and the destination fit; this re-checks the extents and
// throws TypeError when they do not (never reads or writes outside the buffers).
#pragma once

#include <napi.h>

namespace nlw {

Napi::Value ConvertFrame(const Napi::CallbackInfo& info);

}  // namespace nlw
