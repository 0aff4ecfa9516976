#include "media/rtp_rewrite.h"

#include <cstring>

namespace nlw {
namespace {

constexpr size_t kFixedHeader = 12;
constexpr uint16_t kOneByteProfile = 0xBEDE;
constexpr uint16_t kTwoByteProfileMask = 0xFFF0;
constexpr uint16_t kTwoByteProfile = 0x1000;

uint16_t Read16(const uint8_t* p) { return static_cast<uint16_t>(p[0] << 8 | p[1]); }
uint32_t Read32(const uint8_t* p) {
  return static_cast<uint32_t>(p[0]) << 24 | static_cast<uint32_t>(p[1]) << 16 | static_cast<uint32_t>(p[2]) << 8 | p[3];
}
void Write16(uint8_t* p, uint16_t v) {
  p[0] = static_cast<uint8_t>(v >> 8);
  p[1] = static_cast<uint8_t>(v);
}
void Write32(uint8_t* p, uint32_t v) {
  p[0] = static_cast<uint8_t>(v >> 24);
  p[1] = static_cast<uint8_t>(v >> 16);
  p[2] = static_cast<uint8_t>(v >> 8);
  p[3] = static_cast<uint8_t>(v);
}

// RFC 7741: the payload descriptor's length, and whether the VP8 payload header that follows
// it begins a keyframe.
bool Vp8StartsKeyFrame(const uint8_t* p, size_t n) {
  if (n < 1) return false;
  const bool extended = p[0] & 0x80, start = p[0] & 0x10;
  const uint8_t partition = p[0] & 0x07;
  if (!start || partition != 0) return false;
  size_t at = 1;
  if (extended) {
    if (n < 2) return false;
    const uint8_t x = p[1];
    at = 2;
    if (x & 0x80) {  // I: picture id, 7 or 15 bits
      if (n <= at) return false;
      at += (p[at] & 0x80) ? 2 : 1;
    }
    if (x & 0x40) at += 1;           // L: TL0PICIDX
    if (x & 0x30) at += 1;           // T or K: TID/KEYIDX
  }
  if (n <= at) return false;
  return (p[at] & 0x01) == 0;  // P bit clear: a keyframe
}

// draft-ietf-payload-vp9: B (begins a frame) and not P (inter-picture predicted), base spatial layer.
bool Vp9StartsKeyFrame(const uint8_t* p, size_t n) {
  if (n < 1) return false;
  const bool inter = p[0] & 0x40, layers = p[0] & 0x20, begins = p[0] & 0x08;
  if (!begins || inter) return false;
  if (!layers) return true;
  // L: the layer byte follows the picture id.
  size_t at = 1;
  if (p[0] & 0x80) {  // I
    if (n <= at) return false;
    at += (p[at] & 0x80) ? 2 : 1;
  }
  if (n <= at) return false;
  return ((p[at] >> 1) & 0x07) == 0;  // spatial id 0
}

bool H264NalStartsKeyFrame(uint8_t type) { return type == 5 || type == 7; }

// RFC 6184: single NAL units, STAP-A, FU-A.
bool H264StartsKeyFrame(const uint8_t* p, size_t n) {
  if (n < 1) return false;
  const uint8_t type = p[0] & 0x1F;
  if (type >= 1 && type <= 23) return H264NalStartsKeyFrame(type);
  if (type == 24) {  // STAP-A: 16-bit sizes, then the units
    size_t at = 1;
    while (at + 2 < n) {
      const size_t size = Read16(p + at);
      at += 2;
      if (size == 0 || at + size > n) return false;
      if (H264NalStartsKeyFrame(p[at] & 0x1F)) return true;
      at += size;
    }
    return false;
  }
  if (type == 28) {  // FU-A: the start of a fragmented unit
    if (n < 2) return false;
    return (p[1] & 0x80) && H264NalStartsKeyFrame(p[1] & 0x1F);
  }
  return false;
}

}  // namespace

bool ReadRtp(const uint8_t* data, size_t size, RtpView* out) {
  if (size < kFixedHeader || (data[0] >> 6) != 2) return false;
  const size_t csrcs = data[0] & 0x0F;
  size_t header = kFixedHeader + 4 * csrcs;
  if (size < header) return false;
  if (data[0] & 0x10) {
    if (size < header + 4) return false;
    header += 4 + 4 * static_cast<size_t>(Read16(data + header + 2));
    if (size < header) return false;
  }
  size_t padding = 0;
  if (data[0] & 0x20) {
    padding = data[size - 1];
    if (padding == 0 || header + padding > size) return false;
  }
  out->payload_type = data[1] & 0x7F;
  out->marker = data[1] & 0x80;
  out->sequence = Read16(data + 2);
  out->timestamp = Read32(data + 4);
  out->ssrc = Read32(data + 8);
  out->header_size = header;
  out->payload_size = size - header - padding;
  return true;
}

bool StartsKeyFrame(ForwardCodec codec, const uint8_t* payload, size_t size) {
  switch (codec) {
    case ForwardCodec::kAudio: return true;
    case ForwardCodec::kVp8: return Vp8StartsKeyFrame(payload, size);
    case ForwardCodec::kVp9: return Vp9StartsKeyFrame(payload, size);
    case ForwardCodec::kH264: return H264StartsKeyFrame(payload, size);
    case ForwardCodec::kNone:
    case ForwardCodec::kRed:
    case ForwardCodec::kFec: return false;
  }
  return false;
}

bool RedPrimary(const uint8_t* p, size_t n, uint8_t* payload_type, size_t* offset) {
  size_t at = 0, blocks = 0;
  while (at < n && (p[at] & 0x80)) {  // a redundant block's 4-byte header: F, PT, offset, length
    if (at + 4 > n) return false;
    blocks += static_cast<size_t>((p[at + 2] & 0x03) << 8 | p[at + 3]);
    at += 4;
  }
  if (at >= n) return false;
  *payload_type = p[at] & 0x7F;
  at += 1 + blocks;
  if (at > n) return false;
  *offset = at;
  return true;
}

bool RewriteRtp(const uint8_t* in, size_t size, const RtpView& view, const ExtensionIdMap& extensions,
                const RewriteFields& fields, size_t skip, bool as_padding, size_t tail_room,
                rtc::CopyOnWriteBuffer* out) {
  const size_t csrc_end = kFixedHeader + 4 * static_cast<size_t>(in[0] & 0x0F);
  const bool has_block = in[0] & 0x10;
  // The new extension block is never larger than the old one (elements are only left out, and
  // the one-byte form stays one-byte).
  out->EnsureCapacity(size + 4 + tail_room);
  out->SetSize(size + 4);
  uint8_t* o = out->MutableData();
  std::memcpy(o, in, csrc_end);
  o[0] &= ~0x10;
  o[1] = static_cast<uint8_t>((in[1] & 0x80) | (fields.payload_type & 0x7F));
  Write16(o + 2, fields.sequence);
  Write32(o + 4, fields.timestamp);
  Write32(o + 8, fields.ssrc);
  size_t at = csrc_end;
  if (has_block) {
    const uint16_t profile = Read16(in + csrc_end);
    const uint8_t* data = in + csrc_end + 4;
    const size_t length = view.header_size - csrc_end - 4;
    const bool one_byte = profile == kOneByteProfile;
    const bool two_byte = (profile & kTwoByteProfileMask) == kTwoByteProfile;
    size_t w = csrc_end + 4;  // elements are written after the block's own header
    if (one_byte || two_byte) {
      size_t i = 0;
      while (i < length) {
        uint8_t id, len;
        size_t head;
        if (one_byte) {
          if (data[i] == 0) { ++i; continue; }  // padding
          id = data[i] >> 4;
          if (id == 15) break;  // reserved: stop reading
          len = static_cast<uint8_t>((data[i] & 0x0F) + 1);
          head = 1;
        } else {
          if (data[i] == 0) { ++i; continue; }
          if (i + 1 >= length) return false;
          id = data[i];
          len = data[i + 1];
          head = 2;
        }
        if (i + head + len > length) return false;
        const uint8_t to = extensions[id];
        if (to != 0 && (!one_byte || to < 15)) {
          if (one_byte) {
            o[w++] = static_cast<uint8_t>(to << 4 | (len - 1));
          } else {
            o[w++] = to;
            o[w++] = len;
          }
          std::memcpy(o + w, data + i + head, len);
          w += len;
        }
        i += head + len;
      }
    }
    if (w > csrc_end + 4) {
      while ((w - csrc_end) % 4 != 0) o[w++] = 0;
      o[0] |= 0x10;
      Write16(o + csrc_end, profile);
      Write16(o + csrc_end + 2, static_cast<uint16_t>((w - csrc_end - 4) / 4));
      at = w;
    }
  }
  if (as_padding) {
    o[0] |= 0x20;
    o[1] &= 0x7F;  // no marker
    o[at] = o[at + 1] = o[at + 2] = 0;
    o[at + 3] = 4;
    out->SetSize(at + 4);
    return true;
  }
  if (skip > size - view.header_size) return false;
  const size_t rest = size - view.header_size - skip;  // payload and padding
  std::memcpy(o + at, in + view.header_size + skip, rest);
  out->SetSize(at + rest);
  return true;
}

}  // namespace nlw
