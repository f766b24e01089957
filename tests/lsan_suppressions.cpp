// LeakSanitizer's built-in suppressions for the test binary (read only in a GG_SANITIZE=address
// build; elsewhere nothing calls it). Fontconfig, which Cairo uses to find the report's DejaVu font,
// keeps its configuration and pattern caches for the life of the process by design: not our leak.
extern "C" const char* __lsan_default_suppressions();
extern "C" const char* __lsan_default_suppressions() { return "leak:libfontconfig.so\n"; }
