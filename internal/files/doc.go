// Package files is Vigil's one file walk with many matchers: the disk is
// walked once, each file is read once (a bounded prefix for content, the rest
// streamed into the hashes) and hashed once, and every matcher that asked for
// the file sees that one read.
//
// # The matcher contract
//
// The shape is osv-scalibr's extractors (FileRequired / Extract) and Trivy's
// analyzers (Required / Analyze). A Matcher has two steps:
//
//  1. Wants(*Meta) Want — called for every regular file the walk meets, from
//     metadata only (target path, base name, place from internal/grade/places,
//     size, mode, owner, mtime). It must be cheap and must not read the file.
//     It returns what the matcher needs: Content (the bounded prefix) and/or
//     digests (Digest: SHA-256; Hashes: also MD5, SHA1). The zero Want means
//     "not this file".
//  2. Match(*File, Reporter) — called once the file is read, with the content
//     prefix (File.Content, at most Options.ContentCap bytes; File.Truncated
//     says a larger file was cut; File.Tail is its end) and the digests when
//     some matcher asked for them (File.SHA256, MD5, SHA1: computed while
//     reading, before any Match). A file no matcher asked digests of is
//     hashed only when it gets a hit, for the hit's evidence (Hit.SHA256):
//     clean files are not hashed, nor read past the content limit. The
//     matcher reports Hits (rule id plus
//     evidence: line, offset, matched text, clipped with internal/textclip by
//     the walk) and, when it could not judge, gaps.
//
// Matchers are called from several goroutines at once and must be safe for
// concurrent use. File.Content is only valid during Match: copy what you keep.
// A Matcher that also implements Finisher is called once after the walk
// (for judgements over many files: a directory of fresh encrypted files, a
// script much newer than its neighbours); its hits carry their own Path.
//
// Every rule id a matcher can report is listed by Rules(), and has a catalog
// entry (rules/checks/*.yaml, en and zh-CN) like any other rule. Matchers
// never write prose: the engine detector (internal/detect/files) turns hits
// into findings.
//
// # The walk
//
// Walk reads only through internal/target (the live host or --root). A
// file walk is a part of a target walk (Scan: target.WalkSpec with
// Content): the engine's files check runs it in the scan's one walk with
// the other checks that walk, Walk runs it alone. The walk's workers list
// directories, judge each entry from its lstat and open a file a matcher
// wants relative to the directory being listed, once, reading it for every
// matcher; memory is bounded (one content buffer per worker, nothing kept
// per file). It stays on the filesystem each start path is on unless
// Options.CrossFS, never enters kernel pseudo-filesystems nor, on a live
// host, the filesystem types of the mount table that are not local disks
// (network and FUSE mounts), never follows a symlink, never blocks on a
// FIFO or device, survives names that are not UTF-8, directory loops
// through bind mounts and unreadable files, and records in Coverage what it
// saw, read, hashed and skipped and why. Budgets (bytes, files, time) end
// the file walk early (the other checks' walk goes on); the stop is
// recorded, never silent.
package files
