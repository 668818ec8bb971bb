// Exporting records for SIEMs and spreadsheets: CSV (RFC 4180, formula
// injection neutralised), JSON (one document with integrity data) and JSONL
// (one object per line with schema_version).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>

#include "audit/query.h"

namespace preloop::audit {

enum class Format { Csv, Json, Jsonl };
// "csv" | "json" | "jsonl"; throws std::invalid_argument otherwise.
Format parse_format(const std::string& name);

struct ExportResult {
  std::int64_t rows = 0;
  std::int64_t first_seq = 0, last_seq = 0;
  std::string last_hash;  // chain hash of the last exported row
};

// Called every `progress_every` rows with the rows written so far.
using Progress = std::function<void(std::int64_t rows)>;

// Writes the filtered records to fd (not closed). Throws std::runtime_error on a write error.
ExportResult export_records(const Store& store, const Filter& f, Format fmt, int fd, const Progress& progress = {});

// Writes to file atomically (a temporary file next to it, fsync, rename).
ExportResult export_to_file(const Store& store, const Filter& f, Format fmt, const std::filesystem::path& file,
                            const Progress& progress = {});

// One CSV cell: quoted when needed (RFC 4180), prefixed with ' when it starts
// with = + - @ TAB or CR so that spreadsheets do not evaluate it.
void append_csv_cell(std::string& out, std::string_view cell);

}  // namespace preloop::audit
