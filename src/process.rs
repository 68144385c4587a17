//! Child processes that cannot outlive us: the batch's worker processes and
//! the programs a reader runs (`pdftoppm`). Below the stages, so that both
//! can use it.

use std::process::Command;
use std::time::Duration;

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

/// A child's wall time may run to this many times its processor-time
/// limit: enough for a machine shared ten ways, and a bound on a child
/// that waits forever without computing.
pub const WALL_SLACK: u32 = 10;

/// Whether work that has used `cpu` of processor time (`None`: the system
/// does not say) and `wall` of wall time is past `limit`. Time limits count
/// processor time so that how busy the machine is does not decide which
/// inputs are read; wall time bounds only what waits without computing,
/// and stands in where processor time is unknown.
pub fn past_limit(cpu: Option<Duration>, wall: Duration, limit: Duration) -> bool {
    match cpu {
        Some(cpu) => cpu >= limit || wall >= limit.saturating_mul(WALL_SLACK),
        None => wall >= limit,
    }
}

/// Processor time used so far by process `pid` and the children it reaped.
pub fn cpu_time(pid: u32) -> Option<Duration> {
    proc_stat(&format!("/proc/{pid}/stat")).map(|(_, t)| t)
}

/// Processor time used so far by the processes of group `pgid` (a worker
/// and what it started), children they reaped included. A process that
/// ended and was reaped is in its parent's counts, one that runs in its own.
pub fn group_cpu_time(pgid: u32) -> Option<Duration> {
    let mut total = None;
    for entry in std::fs::read_dir("/proc").ok()?.flatten() {
        let name = entry.file_name();
        if !name.to_string_lossy().bytes().all(|b| b.is_ascii_digit()) {
            continue;
        }
        if let Some((group, t)) = proc_stat(&format!("/proc/{}/stat", name.to_string_lossy())) {
            if group == pgid {
                total = Some(total.unwrap_or(Duration::ZERO) + t);
            }
        }
    }
    total
}

/// The process group and the processor time (user and system, its own and
/// its reaped children's) of one `/proc/PID/stat`; `None` off Linux.
#[cfg(target_os = "linux")]
fn proc_stat(path: &str) -> Option<(u32, Duration)> {
    // SAFETY: sysconf has no memory effects.
    let ticks = unsafe { libc::sysconf(libc::_SC_CLK_TCK) };
    let stat = std::fs::read_to_string(path).ok()?;
    // The command name is in parentheses and may hold anything; the fields
    // after it start at the state (field 3 of proc(5)).
    let (_, rest) = stat.rsplit_once(')')?;
    let fields: Vec<&str> = rest.split_whitespace().collect();
    let group = fields.get(2)?.parse().ok()?;
    // utime, stime, cutime, cstime: fields 14 to 17.
    let used = fields.get(11..15)?.iter().map(|f| f.parse::<u64>().ok()).sum::<Option<u64>>()?;
    (ticks > 0).then(|| (group, Duration::from_secs_f64(used as f64 / ticks as f64)))
}

#[cfg(not(target_os = "linux"))]
fn proc_stat(_: &str) -> Option<(u32, Duration)> {
    None
}

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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_limit_is_processor_time_and_wall_time_only_bounds_waiting() {
        let s = Duration::from_secs;
        assert!(!past_limit(Some(s(3)), s(30), s(4)), "a busy machine is not a timeout");
        assert!(past_limit(Some(s(4)), s(5), s(4)));
        assert!(past_limit(Some(s(0)), s(40), s(4)), "waiting forever is");
        assert!(past_limit(None, s(4), s(4)));
        assert!(!past_limit(None, s(3), s(4)));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn processor_time_is_read_for_a_process_and_its_group() {
        let me = std::process::id();
        let before = cpu_time(me).expect("linux says");
        let start = std::time::Instant::now();
        // Computing moves it (a clock tick is 10 ms; a busy machine may
        // give this thread little of its time).
        let mut x = 0u64;
        while cpu_time(me).unwrap() <= before && start.elapsed() < Duration::from_secs(20) {
            for _ in 0..1_000_000 {
                x = std::hint::black_box(x.wrapping_mul(31).wrapping_add(7));
            }
        }
        assert!(cpu_time(me).unwrap() > before, "{x}");
        // SAFETY: getpgrp has no memory effects.
        let group = unsafe { libc::getpgrp() } as u32;
        assert!(group_cpu_time(group).unwrap() >= cpu_time(me).unwrap());
    }
}
