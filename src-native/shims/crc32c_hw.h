#pragma once

#include <string>

namespace nlw {

// Self-check of crc32c_hw.cc's CRC32c against a bytewise table (tests): "" when they agree.
std::string CheckCrc32c();

}  // namespace nlw
