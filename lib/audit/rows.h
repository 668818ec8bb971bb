// Records to and from SQLite statements over schema::kColumns (in that order).
#pragma once

#include "audit/record.h"

struct sqlite3_stmt;

namespace preloop::audit {

// Binds all kColumns of r as parameters 1..kColumnCount.
void bind_record(sqlite3_stmt* st, const Record& r);
// Reads a row selected as kColumns, starting at column 0.
Record read_record(sqlite3_stmt* st);

}  // namespace preloop::audit
