//! Child processes that cannot outlive us: the batch's worker processes and
//! the programs a reader runs (`pdftoppm`). Below the stages, so that both
//! can use it.

use std::process::Command;

/// On Linux, the child is killed when the thread that started it ends (the
/// process died, or a worker was stopped): nothing we start outlives us.
#[cfg(target_os = "linux")]
pub fn die_with_parent(command: &mut Command) {
    use std::os::unix::process::CommandExt;
    let parent = std::process::id() as libc::pid_t;
    // SAFETY: the closure runs between fork and exec and calls only
    // async-signal-safe functions (prctl, getppid, _exit).
    unsafe {
        command.pre_exec(move || {
            if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGKILL) != 0 {
                return Err(std::io::Error::last_os_error());
            }
            // The parent may have died before prctl: then exit at once.
            if libc::getppid() != parent {
                libc::_exit(1);
            }
            Ok(())
        });
    }
}

#[cfg(not(target_os = "linux"))]
pub fn die_with_parent(_: &mut Command) {}

/// Kills every process of the group `pgid` (a worker and what it started).
#[cfg(unix)]
pub fn kill_group(pgid: u32) {
    // SAFETY: kill(2) with a negative pid signals a process group; no memory
    // is involved.
    unsafe {
        libc::kill(-(pgid as libc::pid_t), libc::SIGKILL);
    }
}

#[cfg(not(unix))]
pub fn kill_group(_: u32) {}

/// What a signal number means, for messages about a worker's death.
pub fn signal_name(signal: i32) -> &'static str {
    match signal {
        6 => "SIGABRT: it aborted, e.g. out of memory or a stack overflow",
        9 => "SIGKILL: killed, e.g. by the system when memory ran out",
        11 => "SIGSEGV: a memory fault",
        7 => "SIGBUS: a memory fault",
        4 => "SIGILL",
        8 => "SIGFPE",
        15 => "SIGTERM",
        _ => "a signal",
    }
}
