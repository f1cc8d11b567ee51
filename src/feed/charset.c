// SPDX-License-Identifier: MIT
/* placeholder until the module lands */
