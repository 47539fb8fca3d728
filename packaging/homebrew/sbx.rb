# Homebrew formula for sbx, built from a release tarball with the system
# clang. The release step fills in the tarball's address and SHA-256:
#   make dist DIST_URL=https://.../sbx-VERSION.tar.gz
# writes sbx-VERSION.rb next to the tarball; put it in a tap as Formula/sbx.rb
# (Homebrew installs formulae from taps only), then
#   brew install --build-from-source TAP/sbx
class Sbx < Formula
  desc "Sandbox shims for the build tools an AI coding agent runs"
  url "@URL@"
  sha256 "@SHA256@"

  depends_on :macos

  def install
    # The Makefile keeps its own warnings; -Werror is for the project's CI.
    system "make", "WERROR="
    system "make", "install", "PREFIX=#{prefix}"
  end

  def caveats
    <<~EOS
      Put the shims first on PATH in an agent's session:
        sbx session -- codex
      or in every shell:
        eval "$(sbx shell-init)"
    EOS
  end

  test do
    assert_match "sbx #{version}", shell_output("#{bin}/sbx --version")
    # Not sbx run: brew test runs in a Seatbelt sandbox of its own, and
    # sandbox-exec cannot be applied twice.
    assert_match "seatbelt", shell_output("#{bin}/sbx --version")
  end
end
