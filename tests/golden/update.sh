#!/usr/bin/env bash
# Writes tests/golden/cases/CASE.expected.json from the current binary. Review the diff before committing.
exec bash "$(dirname "$0")/golden.test.sh" --update "$@"
