// The SQL migrations of services/store/schema/, embedded by CMake (schema_files.cc.in).
#ifndef MAILROOM_SERVICES_STORE_DB_SCHEMA_FILES_H_
#define MAILROOM_SERVICES_STORE_DB_SCHEMA_FILES_H_

#include <vector>

namespace mailroom::store::db {

struct SchemaFile {
  int version;
  const char* name;
  const char* sql;
};

// Every migration, by increasing version.
const std::vector<SchemaFile>& SchemaFiles();

}  // namespace mailroom::store::db

#endif  // MAILROOM_SERVICES_STORE_DB_SCHEMA_FILES_H_
