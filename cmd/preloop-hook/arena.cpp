// The program's operator new: blocks are cut from one arena mapped at
// start-up. A hook call lives a few milliseconds and ends with _exit(): it
// makes ~3,000 allocations, and malloc/free's bookkeeping for them cost as
// much as evaluating the policy. A block freed with its size (sized delete)
// goes on a free list per 16-byte class and is handed out again, so the
// pages a call touches stay few; other freed arena blocks are not reused.
// So once a call has used the mapped-up-front part (a large input), blocks
// above kSmall come from malloc, which hands out again what is freed (the
// old buffers of a growing vector, a syntax tree dropped after its walk).
// Blocks above kLarge, and every block once the arena is used up (long CLI
// runs, very large inputs), come from malloc and are freed as usual.
#include <atomic>
#include <cstdint>
#include <cstdlib>
#include <new>
#include <sys/mman.h>

namespace {

// Address space reserved, mapped only where blocks are cut: room for what a
// call with a 64 KiB command line allocates (~110,000 blocks, which cost
// ~18M instructions in malloc and free).
constexpr std::size_t kArena = 16u << 20;
constexpr std::size_t kPrefault = 192u << 10;  // what a hook call uses, mapped with one madvise
constexpr std::size_t kLarge = 64u << 10;
constexpr std::size_t kAlign = __STDCPP_DEFAULT_NEW_ALIGNMENT__;
constexpr std::size_t kSmall = 512;  // blocks up to this size are recycled
static_assert(kAlign == 16);

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
constinit thread_local void* free_lists[kSmall / 16] = {};

std::size_t size_class(std::size_t n) { return n ? (n - 1) / 16 : 0; }

void* allocate(std::size_t n) {
  if (!mapped) [[unlikely]] {
    base = map_arena();
    mapped = true;
  }
  if (n <= kSmall) [[likely]] {
    void*& head = free_lists[size_class(n)];
    if (void* p = head) {
      head = *static_cast<void**>(p);
      return p;
    }
  }
  if (n <= kLarge && base && (n <= kSmall || used.load(std::memory_order_relaxed) < kPrefault)) [[likely]] {
    // A small block's size is its class's, whatever size it is freed with.
    const std::size_t size = n <= kSmall ? (size_class(n) + 1) * 16 : (n + kAlign - 1) & ~(kAlign - 1);
    const std::size_t off = used.fetch_add(size, std::memory_order_relaxed);
    if (off + size <= kArena) [[likely]] return base + off;
  }
  return std::malloc(n ? n : 1);
}

bool in_arena(void* p) {
  return base && reinterpret_cast<std::uintptr_t>(p) - reinterpret_cast<std::uintptr_t>(base) < kArena;
}

void release(void* p) noexcept {
  if (!in_arena(p)) std::free(p);
}

void release(void* p, std::size_t n) noexcept {
  if (!in_arena(p)) return std::free(p);
  if (n > kSmall) return;
  void*& head = free_lists[size_class(n)];
  *static_cast<void**>(p) = head;
  head = p;
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
void operator delete(void* p, std::size_t n) noexcept { release(p, n); }
void operator delete[](void* p, std::size_t n) noexcept { release(p, n); }
void operator delete(void* p, const std::nothrow_t&) noexcept { release(p); }
void operator delete[](void* p, const std::nothrow_t&) noexcept { release(p); }
