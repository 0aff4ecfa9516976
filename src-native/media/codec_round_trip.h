// Encodes a few synthetic frames with one of our video encoder factories' encoders and decodes
// them with the matching decoder of our decoder factory, outside any connection: proof that the
// codecs the binary offers in SDP can actually be instantiated and understand each other (tests;
// no track API needs to exist for it). Synchronous, on the calling thread; small frames only.
#pragma once

#include <string>

namespace nlw {

struct CodecRoundTripResult {
  std::string error;  // empty on success
  std::string format;  // the SdpVideoFormat used, as libwebrtc prints it
  std::string encoder;  // EncoderInfo::implementation_name
  std::string decoder;  // DecoderInfo::implementation_name
  int frames_encoded = 0;
  int key_frames = 0;
  int frames_decoded = 0;
  int decode_errors = 0;  // Decode() calls that returned an error (only with skip_key_frame)
  int width = 0;  // of the last decoded frame
  int height = 0;
  double min_psnr = 0;  // luma PSNR (dB) of the worst decoded frame against its source
};

// codec_name: "VP8", "VP9", "H264" (the first format of that name the encoder factory lists).
// skip_key_frame: the decoder never gets the key frame (what a receiver sees when joining late or
// after loss); its errors are counted, not fatal.
CodecRoundTripResult RunCodecRoundTrip(const std::string& codec_name, int width, int height,
                                       int frames, bool skip_key_frame = false);

}  // namespace nlw
