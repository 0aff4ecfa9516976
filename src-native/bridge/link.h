// A JS-thread-only back pointer from queued tasks to a wrapper. Tasks hold the shared Link,
// the wrapper clears it when it dies, so a task that runs late simply finds nobody home.
#pragma once

#include <memory>

namespace nlw {

template <typename T>
struct Link {
  T* target = nullptr;  // JS thread only
};

template <typename T>
using LinkPtr = std::shared_ptr<Link<T>>;

}  // namespace nlw
