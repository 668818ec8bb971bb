// The program's operator new: small blocks are cut from one arena mapped at
// start-up, and freeing them is a no-op. A hook call lives a few
// milliseconds and ends with _exit(): it makes ~5,000 allocations, and
// malloc/free's bookkeeping for them cost as much as evaluating the policy.
// Blocks above kLarge, and every block once the arena is used up (long CLI
// runs, very large inputs), come from malloc and are freed as usual, so the
// arena bounds what is never given back.
#include <atomic>
#include <cstdlib>
#include <new>
#include <sys/mman.h>

namespace {

constexpr std::size_t kArena = 2u << 20;       // address space reserved
constexpr std::size_t kPrefault = 320u << 10;  // mapped up front (one madvise, not a fault per page)
constexpr std::size_t kLarge = 64u << 10;
constexpr std::size_t kAlign = __STDCPP_DEFAULT_NEW_ALIGNMENT__;

char* map_arena() {
  void* p = ::mmap(nullptr, kArena, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
  if (p == MAP_FAILED) return nullptr;
  ::madvise(p, kPrefault, MADV_POPULATE_WRITE);  // refused before Linux 5.14: pages then fault in
  return static_cast<char*>(p);
}

struct Arena {
  char* const base = map_arena();
  std::atomic<std::size_t> used{0};
};

Arena& arena() {
  static Arena a;  // the first allocation (during static initialisation) maps it
  return a;
}

void* allocate(std::size_t n) {
  Arena& a = arena();
  if (a.base && n <= kLarge) {
    const std::size_t size = (n + kAlign - 1) & ~(kAlign - 1);
    const std::size_t off = a.used.fetch_add(size, std::memory_order_relaxed);
    if (off + size <= kArena) return a.base + off;
  }
  return std::malloc(n ? n : 1);
}

void release(void* p) noexcept {
  const Arena& a = arena();
  if (a.base && static_cast<char*>(p) >= a.base && static_cast<char*>(p) < a.base + kArena) return;
  std::free(p);
}

}  // namespace

void* operator new(std::size_t n) {
  if (void* p = allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) { return operator new(n); }
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept { return allocate(n); }
void operator delete(void* p) noexcept { release(p); }
void operator delete[](void* p) noexcept { release(p); }
void operator delete(void* p, std::size_t) noexcept { release(p); }
void operator delete[](void* p, std::size_t) noexcept { release(p); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
