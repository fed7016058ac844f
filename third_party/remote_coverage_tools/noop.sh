#!/bin/sh
# Coverage is unavailable offline; see docs/offline_bazel.md.
exit 0
