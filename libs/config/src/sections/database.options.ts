import { IsInt, IsOptional, Min } from 'class-validator';
import { IntOpt, Section, StrOpt } from '../option.decorator';
import { IsNovaUrl } from '../validators';

const MYSQL_SCHEMES = ['mysql', 'mysql+pymysql', 'mysql+mysqldb'];
const SQL_SCHEMES = [...MYSQL_SCHEMES, 'sqlite'];

/** Options shared by [database] and [api_database] (oslo.db names). */
abstract class SqlOptions {
  @StrOpt('SQLAlchemy-style URL: mysql+pymysql://user:pass@host/db or sqlite:///path.', {
    secret: true,
  })
  @IsOptional()
  @IsNovaUrl(SQL_SCHEMES)
  connection?: string;

  // SQLite has no replicas: a sqlite:// replica URL is refused here, at load.
  @StrOpt(
    'URL of a read replica (MySQL/MariaDB) for list reads that may lag; writes and reads after a write stay on `connection`.',
    { secret: true },
  )
  @IsOptional()
  @IsNovaUrl(MYSQL_SCHEMES)
  slave_connection?: string;

  @IntOpt('Maximum number of pooled connections (per cell for cell databases).')
  @IsInt()
  @Min(1)
  max_pool_size: number = 5;

  @IntOpt('Seconds to wait for a free pooled connection or a new connection.')
  @IsInt()
  @Min(1)
  pool_timeout: number = 30;

  @IntOpt('Seconds after which an idle pooled connection is closed.')
  @IsInt()
  @Min(1)
  connection_recycle_time: number = 3600;
}

@Section('database')
export class DatabaseOptions extends SqlOptions {}

@Section('api_database')
export class ApiDatabaseOptions extends SqlOptions {}
