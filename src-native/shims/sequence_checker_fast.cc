// SequenceCheckerImpl::IsCurrent without its mutex once the checker is attached. Debian's
// libtg_owt keeps RTC_DCHECK_RUN_ON live (DCHECK_ALWAYS_ON), and every packet passes a dozen of
// them (DTLS, ICE, dcsctp, weak pointers): the lock and unlock in each took ~6% of a bulk
// sender's CPU and most of its mutex time (perf, bench/RESULTS.md). The build weakens libtg_owt's
// definition (build.json tgowt_weaken_symbols) and links this one. The checks stay: same answers.
//
// Why reading without the lock is sound: a checker's fields change only when it attaches (here,
// under the lock, attached_ stored last with release order) or on Detach() (libtg_owt's, under the
// lock). A reader that sees attached_ set sees the fields stored before it; a reader racing with
// a Detach() answers as if it had run just before it, which a locked read could do as well.
#include <atomic>

#include "api/task_queue/task_queue_base.h"
#include "rtc_base/platform_thread_types.h"
#include "rtc_base/synchronization/mutex.h"
#include "rtc_base/synchronization/sequence_checker_internal.h"

namespace webrtc {
namespace webrtc_sequence_checker_internal {

bool SequenceCheckerImpl::IsCurrent() const {
  const TaskQueueBase* const current_queue = TaskQueueBase::Current();
  const rtc::PlatformThreadRef current_thread = rtc::CurrentThreadRef();
  if (std::atomic_ref<bool>(attached_).load(std::memory_order_acquire)) {
    const TaskQueueBase* queue = std::atomic_ref<const TaskQueueBase*>(valid_queue_).load(std::memory_order_relaxed);
    if (queue != nullptr) return queue == current_queue;
    return rtc::IsThreadRefEqual(std::atomic_ref<rtc::PlatformThreadRef>(valid_thread_).load(std::memory_order_relaxed),
                                 current_thread);
  }
  MutexLock scoped_lock(&lock_);
  if (!attached_) {  // first use, or first after Detach(): this sequence becomes the valid one
    valid_thread_ = current_thread;
    valid_queue_ = current_queue;
    valid_system_queue_ = nullptr;
    std::atomic_ref<bool>(attached_).store(true, std::memory_order_release);
    return true;
  }
  if (valid_queue_ != nullptr) return valid_queue_ == current_queue;
  return rtc::IsThreadRefEqual(valid_thread_, current_thread);
}

}  // namespace webrtc_sequence_checker_internal
}  // namespace webrtc
