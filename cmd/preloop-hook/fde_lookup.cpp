// The unwinder's search for the frame description of a code address, for the
// statically linked binary. libgcc's own search, in a static program, sorts
// every frame description of the binary (~20,000) on the first exception
// thrown: ~30 million instructions, more than the rest of a large hook call.
// Defining _Unwind_Find_FDE here keeps libgcc's registry out of the link (the
// start files only register frames when it is linked), and the search below
// bisects the table the linker sorted into .eh_frame_hdr (--eh-frame-hdr).
#include <cstdint>
#include <cstring>
#include <link.h>

namespace {

// DWARF pointer encodings (the low nibble: format; the next three bits: base).
constexpr std::uint8_t kOmit = 0xff, kAbsPtr = 0x00, kUleb = 0x01, kUdata2 = 0x02, kUdata4 = 0x03,
                       kUdata8 = 0x04, kSleb = 0x09, kSdata2 = 0x0a, kSdata4 = 0x0b, kSdata8 = 0x0c;
constexpr std::uint8_t kPcRel = 0x10, kDataRel = 0x30;

struct Bases {  // libgcc's struct dwarf_eh_bases
  void* tbase;
  void* dbase;
  void* func;
};

struct Table {
  const std::uint8_t* hdr = nullptr;
  const std::int32_t* entries = nullptr;  // (initial location, FDE) pairs relative to hdr, sorted
  std::size_t count = 0;
};

std::uint64_t uleb(const std::uint8_t*& p) {
  std::uint64_t v = 0;
  for (unsigned shift = 0;; shift += 7) {
    std::uint8_t b = *p++;
    if (shift < 64) v |= std::uint64_t(b & 0x7f) << shift;
    if (!(b & 0x80)) return v;
  }
}

template <class T>
T load(const std::uint8_t*& p) {
  T v;
  std::memcpy(&v, p, sizeof v);
  p += sizeof v;
  return v;
}

// A pointer in `enc`; false for an encoding this search does not know.
bool read_encoded(std::uint8_t enc, const std::uint8_t*& p, std::uint64_t* out, bool value_only = false) {
  const std::uint8_t* at = p;
  std::uint64_t v;
  switch (enc & 0x0f) {
    case kAbsPtr: v = load<std::uint64_t>(p); break;
    case kUleb: v = uleb(p); break;
    case kUdata2: v = load<std::uint16_t>(p); break;
    case kUdata4: v = load<std::uint32_t>(p); break;
    case kUdata8: v = load<std::uint64_t>(p); break;
    case kSdata2: v = std::uint64_t(std::int64_t(load<std::int16_t>(p))); break;
    case kSdata4: v = std::uint64_t(std::int64_t(load<std::int32_t>(p))); break;
    case kSdata8: v = std::uint64_t(load<std::int64_t>(p)); break;
    case kSleb: {
      std::int64_t s = 0;
      unsigned shift = 0;
      std::uint8_t b;
      do {
        b = *p++;
        if (shift < 64) s |= std::int64_t(b & 0x7f) << shift;
        shift += 7;
      } while (b & 0x80);
      if (shift < 64 && (b & 0x40)) s |= -(std::int64_t(1) << shift);
      v = std::uint64_t(s);
      break;
    }
    default: return false;
  }
  if (!value_only && (enc & 0x70) == kPcRel) v += reinterpret_cast<std::uintptr_t>(at);
  else if (!value_only && (enc & 0x70) != 0) return false;
  *out = v;
  return true;
}

// The FDE pointer encoding named by the CIE's augmentation ('R'); kOmit when
// the CIE cannot be read.
std::uint8_t fde_encoding(const std::uint8_t* cie) {
  const std::uint8_t* p = cie;
  std::uint32_t len = load<std::uint32_t>(p);
  if (len == 0 || len == 0xffffffff) return kOmit;
  p += 4;  // CIE id
  std::uint8_t version = *p++;
  const char* aug = reinterpret_cast<const char*>(p);
  p += std::strlen(aug) + 1;
  if (aug[0] != 'z') return kAbsPtr;
  uleb(p);  // code alignment
  std::uint64_t ignored;
  read_encoded(kSleb, p, &ignored, true);  // data alignment
  if (version == 1) ++p;
  else uleb(p);  // return address register
  uleb(p);  // augmentation data length
  for (const char* a = aug + 1; *a; ++a) {
    if (*a == 'R') return *p;
    if (*a == 'L') ++p;
    else if (*a == 'P') {
      std::uint8_t enc = *p++;
      if (!read_encoded(enc & 0x7f, p, &ignored, true)) return kOmit;
    } else if (*a != 'S' && *a != 'B') return kOmit;
  }
  return kAbsPtr;
}

int find_table(dl_phdr_info* info, std::size_t, void* data) {
  auto* t = static_cast<Table*>(data);
  for (int i = 0; i < info->dlpi_phnum; ++i) {
    if (info->dlpi_phdr[i].p_type != PT_GNU_EH_FRAME) continue;
    const auto* hdr = reinterpret_cast<const std::uint8_t*>(info->dlpi_addr + info->dlpi_phdr[i].p_vaddr);
    // version 1; FDE count as udata4; the table as datarel sdata4, what linkers write.
    if (hdr[0] != 1 || hdr[2] != kUdata4 || hdr[3] != (kDataRel | kSdata4)) return 0;
    const std::uint8_t* p = hdr + 4;
    std::uint64_t ignored;
    if (!read_encoded(hdr[1], p, &ignored)) return 0;
    t->count = load<std::uint32_t>(p);
    t->entries = reinterpret_cast<const std::int32_t*>(p);
    t->hdr = hdr;
    return 1;
  }
  return 0;
}

const Table& table() {
  static const Table t = [] {
    Table found;
    dl_iterate_phdr(find_table, &found);
    return found;
  }();
  return t;
}

}  // namespace

extern "C" const void* _Unwind_Find_FDE(void* pc, Bases* bases) {
  const Table& t = table();
  if (!t.hdr || t.count == 0) return nullptr;
  const auto base = reinterpret_cast<std::intptr_t>(t.hdr);
  const auto at = reinterpret_cast<std::intptr_t>(pc);
  std::size_t lo = 0, hi = t.count;  // the last entry whose start is at or below pc
  while (hi - lo > 1) {
    std::size_t mid = lo + (hi - lo) / 2;
    if (base + t.entries[2 * mid] <= at) lo = mid;
    else hi = mid;
  }
  if (base + t.entries[2 * lo] > at) return nullptr;
  const auto* fde = reinterpret_cast<const std::uint8_t*>(base + t.entries[2 * lo + 1]);
  const std::uint8_t* p = fde + 4;
  const std::uint8_t* id_at = p;
  std::uint32_t cie_offset = load<std::uint32_t>(p);
  std::uint8_t enc = fde_encoding(id_at - cie_offset);
  if (enc == kOmit) return nullptr;
  std::uint64_t start, range;
  if (!read_encoded(enc, p, &start) || !read_encoded(enc & 0x0f, p, &range, true)) return nullptr;
  if (std::uint64_t(at) < start || std::uint64_t(at) - start >= range) return nullptr;
  bases->tbase = nullptr;
  bases->dbase = nullptr;
  bases->func = reinterpret_cast<void*>(start);
  return fde;
}
