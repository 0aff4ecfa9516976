// The packet work of RTP forwarding (media/rtp_forwarder.h): reading what a forwarder needs from a
// publisher's RTP packet, and writing it again for one subscriber (its SSRC, sequence number,
// timestamp, payload type and header extension ids). Plain functions over bytes, no state.
#pragma once

#include <array>
#include <cstddef>
#include <cstdint>

#include "rtc_base/copy_on_write_buffer.h"

namespace nlw {

// The codecs whose pictures a forwarder can find the start of a keyframe in; audio needs none.
enum class ForwardCodec : uint8_t { kNone, kAudio, kVp8, kVp9, kH264, kRed, kFec };

// RFC 2198: the primary block of a RED payload: its payload type and where it starts. False if
// the payload is malformed.
bool RedPrimary(const uint8_t* payload, size_t size, uint8_t* payload_type, size_t* offset);

struct RtpView {
  uint8_t payload_type = 0;
  bool marker = false;
  uint16_t sequence = 0;
  uint32_t timestamp = 0;
  uint32_t ssrc = 0;
  size_t header_size = 0;   // fixed header, CSRCs and the extension block
  size_t payload_size = 0;  // without padding
};

// False if `data` is not an RTP packet this parser accepts (version 2, sizes that fit).
bool ReadRtp(const uint8_t* data, size_t size, RtpView* out);

// Whether the payload is the first packet of a keyframe (VP8, VP9: the picture's first packet of
// an intra picture; H.264: an IDR slice or SPS starts it). Audio: always true.
bool StartsKeyFrame(ForwardCodec codec, const uint8_t* payload, size_t size);

// Publisher extension id -> subscriber extension id (0: leave the element out). Index by id (1-255).
using ExtensionIdMap = std::array<uint8_t, 256>;

struct RewriteFields {
  uint8_t payload_type;
  uint16_t sequence;
  uint32_t timestamp;
  uint32_t ssrc;
};

// `in` (as ReadRtp read it into `view`) rewritten into `out`: the fields given, the CSRCs kept, the
// header extensions whose ids map kept under their new ids (others dropped; the block goes when
// none is left), the payload from `skip` bytes on (a RED header left out) and the padding
// unchanged; or, `as_padding`, no payload and 4 bytes of padding (a packet the subscriber cannot
// use keeps its place in the sequence). `out` gets `tail_room` bytes of spare capacity (SRTP's
// authentication tag is appended in place). False if the extension block is malformed.
bool RewriteRtp(const uint8_t* in, size_t size, const RtpView& view, const ExtensionIdMap& extensions,
                const RewriteFields& fields, size_t skip, bool as_padding, size_t tail_room,
                rtc::CopyOnWriteBuffer* out);

}  // namespace nlw
