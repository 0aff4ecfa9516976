#include "media/audio_level_chunks.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstdlib>

namespace nlw {

namespace {

using Chunk = std::array<int16_t, kLevelChunkSamples>;

// `n` samples of alternating sign at amplitude `a`, then zeros.
Chunk Pattern(int a, int n) {
  Chunk chunk{};
  for (int i = 0; i < n && i < kLevelChunkSamples; i++) chunk[i] = static_cast<int16_t>(i % 2 == 0 ? a : -a);
  return chunk;
}

Chunk Build(int level) {
  if (level >= 127) return Chunk{};
  constexpr double kFull = 32768.0 * 32768.0;
  const double mean_square = kFull * std::pow(10.0, -level / 10.0);
  const double sum = mean_square * kLevelChunkSamples;
  const int a = std::max(1, std::min(32767, static_cast<int>(std::floor(std::sqrt(mean_square)))));
  const int n0 = std::min(kLevelChunkSamples, static_cast<int>(std::lround(sum / (static_cast<double>(a) * a))));
  // The closest level the pattern can give, by RmsLevel's own measure.
  Chunk best{};
  int best_error = 1000;
  for (int n = std::max(0, n0 - 2); n <= std::min(kLevelChunkSamples, n0 + 2); n++) {
    Chunk chunk = Pattern(a, n);
    const int error = std::abs(RmsAudioLevel(chunk.data(), kLevelChunkSamples) - level);
    if (error < best_error) best_error = error, best = chunk;
  }
  return best;
}

}  // namespace

int RmsAudioLevel(const int16_t* samples, int count) {
  // As modules/audio_processing/rms_level.cc (M108) computes it.
  constexpr float kMaxSquaredLevel = 32768 * 32768;
  constexpr float kMinLevel = 1.995262314968883e-13f;
  if (count <= 0) return 127;
  float sum = 0.f;
  for (int i = 0; i < count; i++) sum += static_cast<float>(samples[i]) * samples[i];
  const float mean_square = sum / count;
  if (mean_square <= kMinLevel * kMaxSquaredLevel) return 127;
  const float rms = 10.f * std::log10(mean_square / kMaxSquaredLevel);
  return static_cast<int>(-rms + 0.5f);
}

const int16_t* AudioLevelChunk(int level) {
  static const auto* chunks = [] {
    auto* all = new std::array<Chunk, 128>();  // never destroyed: used at exit
    for (int l = 0; l < 128; l++) (*all)[l] = Build(l);
    return all;
  }();
  if (level < 0 || level > 127) level = 127;
  return (*chunks)[level].data();
}

}  // namespace nlw
