// Runs a fuzz target's LLVMFuzzerTestOneInput over files, without libFuzzer: every
// build (and the sanitizer build in CI) replays the seeds through the same entry
// point the fuzzer drives.
//   usage: NAME_replay [--lines] PATH...   (files, or directories walked recursively)
// With --lines each line of a file is also one input. Exit 0 when every input ran.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <string_view>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {

std::size_t run(std::string_view input) {
  LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(input.data()), input.size());
  return 1;
}

std::size_t replay(const std::filesystem::path& file, bool lines) {
  std::ifstream in(file, std::ios::binary);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  std::size_t n = run(text);
  if (!lines) return n;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    n += run(std::string_view(text).substr(start, end - start));
    start = end + 1;
  }
  return n;
}

}  // namespace

int main(int argc, char** argv) {
  bool lines = false;
  std::vector<std::filesystem::path> files;
  for (int i = 1; i < argc; ++i) {
    std::string_view arg = argv[i];
    if (arg == "--lines") {
      lines = true;
      continue;
    }
    std::error_code ec;
    if (std::filesystem::is_directory(arg, ec)) {
      for (const auto& e : std::filesystem::recursive_directory_iterator(arg))
        if (e.is_regular_file()) files.push_back(e.path());
    } else if (std::filesystem::is_regular_file(arg, ec)) {
      files.emplace_back(arg);
    } else {
      std::fprintf(stderr, "replay: no such file or directory: %s\n", argv[i]);
      return 2;
    }
  }
  std::size_t inputs = 0;
  for (const auto& f : files) inputs += replay(f, lines);
  std::printf("replayed %zu inputs from %zu files\n", inputs, files.size());
  return files.empty() ? 2 : 0;
}
