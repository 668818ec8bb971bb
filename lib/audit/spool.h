// The spool (journal): an append-only JSONL file next to the database. The hook
// appends each record to it (one write, the commit point of the record) and the
// store folds it in, in batches, onto the hash chain; records also wait in it while
// the store is unusable. The folder renames the file away and takes an exclusive
// lock, so no line written concurrently is lost.
//
// Lines are chained as they are appended. Each line ends with two fields written
// last, inside its JSON object:
//
//   ...,"jseq":N,"jlink":"<hex>"}
//
// jseq counts the lines of this file from 1; jlink = HMAC-SHA256(install key,
// "preloop-journal-v1\0" || the line up to ",\"jseq\"" || "\n" || previous line's
// jlink || "\n" || N), the first line's previous jlink being 64 zeros. The line
// comes first so that an appender hashes it before taking the lock. Editing a
// line, reordering lines, or cutting lines at the start or in the middle breaks
// the chain at that line; without the key it cannot be recomputed. The fold marks
// each record whose line breaks it (failure class `journal_break`, covered by the
// row's keyed hash) and `audit verify` reports lines still waiting that break it.
// A cut of the newest lines, before they are folded, leaves a valid chain: the
// fold size bounds that window, and the store's witness covers what is folded.
//
// Concurrency: appenders take the file's flock exclusively for the few steps that
// must not interleave: check that the file is still the spool (fstat + stat),
// read its last line's jseq and jlink with one pread of its tail, and write the
// line with one O_APPEND writev. The file size from the fstat gives the size after
// the write, so the per-call cost is the same seven system calls as with a shared
// lock (the former trailing fstat became the pread), and the lock is held for
// microseconds. A file that does not end in a newline (a write cut short) gets
// one before the line, and the chain starts again at jseq 1 after any line that
// carries no link.
#pragma once

#include <cstddef>
#include <filesystem>
#include <string>
#include <vector>

#include "audit/record.h"

namespace preloop::audit {

// Data: fdatasync each line (survives an OS crash). None: the line is in the
// page cache when the call returns (survives a crash of the process, like a
// SQLite commit with synchronous=NORMAL in WAL mode).
enum class Sync { None, Data };

// Appends r as one JSON line (with a fresh spool_id when r has none), chained with
// key (an empty key writes a line without a link), and returns the spool's size
// after it. Throws std::runtime_error (with errno text) when the line could not be
// written whole.
std::size_t spool_append(const std::filesystem::path& spool, Record& r, Sync sync, const std::string& key);

// The failure class the fold adds to a record whose journal line breaks the chain.
inline constexpr const char* kJournalBreak = "journal_break";

// The spool renamed aside for folding, locked exclusively until destroyed.
class SpoolBatch {
 public:
  // Takes `spool.folding` if a previous fold left it, else renames `spool` to it.
  // Empty (no file) when nothing is spooled. Lines without a link are breaks
  // unless allow_unlinked (a store with no keyed row yet: lines from before keys).
  SpoolBatch(const std::filesystem::path& spool, const std::string& key, bool allow_unlinked);
  SpoolBatch(const SpoolBatch&) = delete;
  ~SpoolBatch();
  bool empty() const { return fd_ < 0; }
  std::vector<Record> records;         // parsed lines; those that break the chain carry kJournalBreak
  std::vector<std::string> rejected;   // lines that are not a record
  // After the records are committed: moves rejected lines to `spool.rejected`
  // and removes the batch file.
  void done();

 private:
  std::filesystem::path spool_, file_;
  int fd_ = -1;
};

struct SpoolStatus {
  std::size_t pending = 0;   // lines waiting in the spool (and an unfinished fold)
  std::size_t rejected = 0;  // lines kept in spool.rejected that are not records
};
SpoolStatus spool_status(const std::filesystem::path& spool);

// The chain of one journal file, as verify reads it (without taking it).
struct JournalCheck {
  std::size_t lines = 0;        // non-empty lines
  std::size_t breaks = 0;       // lines that break the chain
  std::size_t first_break = 0;  // its line number (from 1), 0 when none
};
JournalCheck check_journal(const std::filesystem::path& file, const std::string& key, bool allow_unlinked);

}  // namespace preloop::audit
