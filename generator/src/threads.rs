//! Worker threads: a large stack for the recursive stages, and formatting in parallel.
//!
//! A shared leaf: any stage may use it, and it uses nothing but [`crate::error`].

use crate::error::Error;

/// Stack for the recursive stages. Nesting is capped by the YAML parser (128 levels), and
/// 64 MiB holds that with room to spare even in debug builds; untouched stack costs nothing.
pub const STACK_SIZE: usize = 64 << 20;

/// Runs `f` on a thread with [`STACK_SIZE`] of stack, so deep specs cannot overflow the
/// caller's (possibly small) stack. `task` names the work in errors.
pub fn with_stack<T: Send>(
    task: &str,
    f: impl FnOnce() -> Result<T, Error> + Send,
) -> Result<T, Error> {
    let ((), mut results) = parallel(task, vec![f], || Ok(()))?;
    results
        .pop()
        .ok_or_else(|| thread_error(task, "a worker thread returned nothing"))
}

/// Runs each job on its own thread with [`STACK_SIZE`] of stack while `here` runs on the
/// calling thread. The jobs' results come back in their order; the first error wins (`here`'s
/// before the jobs').
pub fn parallel<T: Send, H, F: FnOnce() -> Result<T, Error> + Send>(
    task: &str,
    jobs: Vec<F>,
    here: impl FnOnce() -> Result<H, Error>,
) -> Result<(H, Vec<T>), Error> {
    std::thread::scope(|scope| {
        let workers = jobs
            .into_iter()
            .map(|job| {
                std::thread::Builder::new()
                    .stack_size(STACK_SIZE)
                    .spawn_scoped(scope, job)
                    .map_err(|e| thread_error(task, &format!("cannot start a worker thread: {e}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let here = here()?;
        let results = workers
            .into_iter()
            .map(|worker| {
                worker
                    .join()
                    .unwrap_or_else(|_| Err(thread_error(task, "a worker thread panicked")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok((here, results))
    })
}

/// Frees `value` on a thread of its own, so that the caller need not wait: a large tree takes
/// milliseconds to free. Nothing waits for that thread (the process may end first); when it
/// cannot start, `value` is freed here.
pub fn free_elsewhere<T: Send + 'static>(value: T) {
    let _ = std::thread::Builder::new()
        .stack_size(STACK_SIZE)
        .spawn(move || drop(value));
}

/// How many threads parallel work is split over.
pub fn available() -> usize {
    std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .clamp(1, 8)
}

fn thread_error(task: &str, message: &str) -> Error {
    Error::Thread {
        task: task.to_string(),
        message: message.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn results_keep_job_order_and_a_panic_is_an_error() {
        let jobs: Vec<Box<dyn FnOnce() -> Result<usize, Error> + Send>> = (0..4usize)
            .map(|i| Box::new(move || Ok(i * 10)) as Box<_>)
            .collect();
        let (here, results) = parallel("count", jobs, || Ok("here")).unwrap();
        assert_eq!((here, results), ("here", vec![0, 10, 20, 30]));
        let e = with_stack("explode", || -> Result<(), Error> { panic!("boom") }).unwrap_err();
        assert!(
            matches!(&e, Error::Thread { task, .. } if task == "explode"),
            "{e}"
        );
        assert!(e.to_string().contains("a worker thread panicked"), "{e}");
    }

    #[test]
    fn free_elsewhere_frees_on_another_thread() {
        struct Tell(std::sync::mpsc::Sender<std::thread::ThreadId>);
        impl Drop for Tell {
            fn drop(&mut self) {
                let _ = self.0.send(std::thread::current().id());
            }
        }
        let (sender, freed) = std::sync::mpsc::channel();
        free_elsewhere(Tell(sender));
        let on = freed
            .recv_timeout(std::time::Duration::from_secs(60))
            .expect("freed");
        assert_ne!(on, std::thread::current().id());
    }
}
