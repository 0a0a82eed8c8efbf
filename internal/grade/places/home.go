package places

import (
	"path"
	"strings"
)

// homeToolNames are hidden directories in a home that language toolchains
// and package managers create and put on PATH or source from. A user's own
// rc file using them is ordinary.
var homeToolNames = map[string]bool{
	".local": true, ".cargo": true, ".nvm": true, ".pyenv": true, ".rbenv": true,
	".nodenv": true, ".goenv": true, ".jenv": true, ".sdkman": true, ".asdf": true,
	".volta": true, ".bun": true, ".deno": true, ".yarn": true, ".npm-global": true,
	".npm": true, ".poetry": true, ".krew": true, ".dotnet": true, ".composer": true,
	".config": true, ".fzf": true, ".linuxbrew": true, ".nix-profile": true,
	".rvm": true, ".gem": true, ".pub-cache": true, ".tfenv": true, ".fnm": true,
	".rd": true, ".foundry": true, ".istioctl": true, ".kube": true, ".bash_it": true,
	".oh-my-zsh": true, ".zplug": true, ".zinit": true, ".bin": true, ".rye": true,
	".pixi": true, ".juliaup": true, ".ghcup": true, ".opam": true, ".elan": true,
	".wasmtime": true, ".wasmer": true, ".acme.sh": true, ".travis": true,
	".iterm2_shell_integration.bash": true, ".iterm2_shell_integration.zsh": true,
	".fig": true, ".docker": true, ".miniconda3": true, ".anaconda3": true,
	".conda": true, ".pulumi": true, ".serverless": true, ".tmux": true,
	".autojump": true, ".zoxide": true, ".atuin": true, ".starship": true,
	".bash_aliases": true, ".bash_functions": true, ".aliases": true, ".functions": true,
	".bash_completion": true, ".git-prompt.sh": true, ".git-completion.bash": true,
	".fzf.bash": true, ".fzf.zsh": true, ".env": true,
}

// HomeTool reports whether p is inside home under a well-known
// toolchain directory (~/.local/bin, ~/.cargo/bin, ~/.nvm/nvm.sh ...), or
// is a well-known dot file of the home itself.
func HomeTool(p, home string) bool {
	if home == "" || home == "/" {
		return false
	}
	rest, ok := strings.CutPrefix(path.Clean(p), strings.TrimSuffix(home, "/")+"/")
	if !ok {
		return false
	}
	first, _, _ := strings.Cut(rest, "/")
	return homeToolNames[first]
}
