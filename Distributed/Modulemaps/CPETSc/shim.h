// PETSc's C API (Vec, Mat, KSP, DMDA, SNES), and static-inline functions for
// what PETSc defines as macros or as globals Swift reads awkwardly.
#ifndef CPETSC_SHIM_H
#define CPETSC_SHIM_H
#include <petscksp.h>
#include <petscdmda.h>
#include <petscsnes.h>

static inline MPI_Comm cpetsc_comm_world(void) { return PETSC_COMM_WORLD; }
static inline PetscInt cpetsc_decide(void) { return PETSC_DECIDE; }
static inline PetscInt cpetsc_default(void) { return PETSC_DEFAULT; }
static inline PetscErrorCode cpetsc_success(void) { return 0; }

/// Makes every PETSc error return its code quietly to the caller (no
/// traceback printed, no abort); the Swift layer turns the code into a typed error.
static inline PetscErrorCode cpetsc_push_return_error_handler(void) {
    return PetscPushErrorHandler(PetscReturnErrorHandler, NULL);
}

/// The text PETSc associates with an error code (a static string).
static inline const char *cpetsc_error_text(PetscErrorCode code) {
    const char *text = NULL;
    if (PetscErrorMessage(code, &text, NULL) != 0 || text == NULL) return "unknown PETSc error";
    return text;
}

/// Whether PetscInitialize has run and PetscFinalize has not.
static inline PetscBool cpetsc_is_initialized(void) {
    PetscBool flag = PETSC_FALSE;
    PetscInitialized(&flag);
    return flag;
}
static inline PetscBool cpetsc_is_finalized(void) {
    PetscBool flag = PETSC_FALSE;
    PetscFinalized(&flag);
    return flag;
}

/// The error code a Swift callback returns when it failed (PETSC_ERR_USER).
static inline PetscErrorCode cpetsc_error_user(void) { return PETSC_ERR_USER; }

/// The name of a KSP / SNES converged reason, e.g. "DIVERGED_ITS".
static inline const char *cpetsc_ksp_reason_name(KSPConvergedReason reason) { return KSPConvergedReasons[reason]; }
static inline const char *cpetsc_snes_reason_name(SNESConvergedReason reason) { return SNESConvergedReasons[reason]; }
#endif
