#include "runtime/post_batch.h"

#include <utility>
#include <vector>

#include "rtc_base/thread.h"
#include "runtime/datagram_batch.h"

namespace nlw {
namespace {

using Task = absl::AnyInvocable<void() &&>;

struct Outbox {
  rtc::Thread* target;
  std::vector<Task> tasks;
};

struct ThreadPosts {
  int depth = 0;
  std::vector<Outbox> outboxes;  // by first post; a few targets at most
};

thread_local ThreadPosts tls_posts;

void RunBatch(std::vector<Task>& tasks) {
  PostBatch posts;
  DatagramBatch datagrams(DatagramBatch::kSegment);
  for (Task& task : tasks) {
    std::move(task)();
    task = nullptr;  // its captures die now, as a task's do after it ran
  }
}

}  // namespace

PostBatch::PostBatch() { ++tls_posts.depth; }

PostBatch::~PostBatch() {
  if (--tls_posts.depth > 0) return;
  // No scope is open now: these posts go straight to the targets' queues.
  std::vector<Outbox> outboxes;
  outboxes.swap(tls_posts.outboxes);
  for (Outbox& box : outboxes) {
    if (box.tasks.size() == 1) {
      box.target->PostTask(std::move(box.tasks.front()));
      continue;
    }
    box.target->PostTask([tasks = std::move(box.tasks)]() mutable { RunBatch(tasks); });
  }
}

bool PostBatch::Defer(rtc::Thread* target, Task& task) {
  if (tls_posts.depth == 0 || target->IsCurrent()) return false;
  for (Outbox& box : tls_posts.outboxes) {
    if (box.target == target) {
      box.tasks.push_back(std::move(task));
      return true;
    }
  }
  tls_posts.outboxes.push_back(Outbox{target, {}});
  tls_posts.outboxes.back().tasks.push_back(std::move(task));
  return true;
}

}  // namespace nlw
