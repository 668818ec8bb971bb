// The program's operator new: small blocks are cut from one arena mapped at
// start-up, and freeing them is a no-op. A hook call lives a few
// milliseconds and ends with _exit(): it makes ~5,000 allocations, and
// malloc/free's bookkeeping for them cost as much as evaluating the policy.
// Blocks above kLarge, and every block once the arena is used up (long CLI
// runs, very large inputs), come from malloc and are freed as usual, so the
// arena bounds what is never given back.
#include <atomic>
#include <cstdint>
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

// Mapped by the first allocation, made during static initialisation, before
// any thread can exist.
constinit char* base = nullptr;
constinit bool mapped = false;
constinit std::atomic<std::size_t> used{0};

void* allocate(std::size_t n) {
  if (!mapped) [[unlikely]] {
    base = map_arena();
    mapped = true;
  }
  if (n <= kLarge && base) [[likely]] {
    const std::size_t size = (n + kAlign - 1) & ~(kAlign - 1);
    const std::size_t off = used.fetch_add(size, std::memory_order_relaxed);
    if (off + size <= kArena) [[likely]] return base + off;
  }
  return std::malloc(n ? n : 1);
}

void release(void* p) noexcept {
  if (reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(base) < kArena && base) return;
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
