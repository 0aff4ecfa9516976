// rtc::Thread::Dispatch without its two clock reads per task while nothing would print them.
// libtg_owt's definition reads the clock before and after every task only to log tasks slower
// than 50 ms at LS_INFO; on a relay that is ~10,000 tasks a second per thread, 1.2 % of its CPU
// (perf, bench/RESULTS.md "Session 17"). When LS_INFO is logged (RTCPeerConnection logging
// turned up), it times and logs as before. Its RTC_DCHECK_RUN_ON(this), a thread-local lookup a
// release build compiles out, is left out: Dispatch is private and only ProcessMessages, on this
// thread, calls it. The build weakens libtg_owt's definition (build.json tgowt_weaken_symbols).
#include "rtc_base/logging.h"
#include "rtc_base/thread.h"
#include "rtc_base/time_utils.h"

namespace rtc {

void Thread::Dispatch(absl::AnyInvocable<void() &&> task) {
  if (LogMessage::IsNoop(LS_INFO)) {
    std::move(task)();
    return;
  }
  const int64_t start_time = TimeMillis();
  std::move(task)();
  const int64_t diff = TimeDiff(TimeMillis(), start_time);
  if (diff >= dispatch_warning_ms_) {
    RTC_LOG(LS_INFO) << "Message to " << name() << " took " << diff << "ms to dispatch.";
    dispatch_warning_ms_ = diff + 1;  // as libwebrtc: only a slower one logs again
  }
}

}  // namespace rtc
