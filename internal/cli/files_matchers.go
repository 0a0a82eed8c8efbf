package cli

import "github.com/spf13/cobra"

// registerFilesMatchers adds the flags of further matchers of vigil files
// (YARA rules, IOC lists) and sets f.extraMatchers to build them.
func registerFilesMatchers(cmd *cobra.Command, f *filesFlags) {}
