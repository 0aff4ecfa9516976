// One process-wide thread that drives every synthetic source: each registered client runs at its
// own period (a 30 fps video source every 33.3 ms, an audio source every 10 ms). The thread runs
// only while a client is registered, so a program without live synthetic tracks has no ticker.
#pragma once

#include <cstdint>
#include <functional>

namespace nlw {

class Ticker {
 public:
  // `due_us`: when this tick was due (rtc::TimeMicros()), the capture time of what it produces.
  using Tick = std::function<void(int64_t due_us)>;

  // Any thread. Runs `tick` every `period_us` from about now, on the ticker thread, until
  // Remove(id). The function (and what it captures) is kept until then. A ticker that falls
  // behind (a busy machine) runs the ticks it missed, back to back, for up to `catch_up_us` (a
  // microphone's driver buffer delivers every sample late rather than none), and skips older ones
  // (0: skip every missed tick, as a camera drops frames).
  static uint64_t Add(int64_t period_us, Tick tick, int64_t catch_up_us = 0);
  // Any thread but the ticker's. Changes the period of a registered client.
  static void SetPeriod(uint64_t id, int64_t period_us);
  // Any thread but the ticker's. Once it returns, the client's tick is not running and never
  // runs again. When no client is left the thread ends (joined here).
  static void Remove(uint64_t id);
};

}  // namespace nlw
